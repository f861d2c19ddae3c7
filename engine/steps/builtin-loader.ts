/**
 * The built-in step kinds, loaded on demand. `builtinStepKinds()` imports every kind — and with
 * them undici, rxjs and the LLM layer — which a command-line run of a file-only mission does not
 * need; {@link loadBuiltinStepKinds} imports only the kinds asked for.
 */
import type { StepKind } from './types.js';

type Loader = () => Promise<StepKind>;

const loaders: Readonly<Record<string, Loader>> = {
  noop: async () => (await import('./noop.js')).noopStep as StepKind,
  create_file: async () => (await import('./create-file.js')).createFileStep as StepKind,
  edit_file: async () => (await import('./edit-file.js')).editFileStep as StepKind,
  delete_file: async () => (await import('./delete-file.js')).deleteFileStep as StepKind,
  copy_file: async () => (await import('./copy-file.js')).copyFileStep as StepKind,
  move_file: async () => (await import('./move-file.js')).moveFileStep as StepKind,
  read_file: async () => (await import('./read-file.js')).readFileStep as StepKind,
  list_directory: async () => (await import('./list-directory.js')).listDirectoryStep as StepKind,
  file_search: async () => (await import('./file-search.js')).fileSearchStep as StepKind,
  parse_json: async () => (await import('./parse-json.js')).parseJsonStep as StepKind,
  parse_yaml: async () => (await import('./parse-yaml.js')).parseYamlStep as StepKind,
  validate_schema: async () => (await import('./validate-schema.js')).validateSchemaStep as StepKind,
  csv_process: async () => (await import('./csv-process.js')).csvProcessStep as StepKind,
  command: async () => (await import('./command.js')).commandStep as StepKind,
  http: async () => (await import('./http.js')).httpStep as StepKind,
  llm: async () => (await import('./llm/llm-step.js')).llmStep as StepKind,
  agent: async () => (await import('./llm/agent-step.js')).agentStep as StepKind,
  chain: async () => (await import('./llm/chain-step.js')).chainStep as StepKind,
  tool: async () => (await import('./tool.js')).toolStep as StepKind,
};

/** Names of the built-in kinds, in `builtinStepKinds()` order. */
export const builtinStepKindNames: readonly string[] = Object.keys(loaders);

/**
 * Kinds that run other kinds by name (`tool`, `agent`, `chain`): a mission using one needs the
 * whole registry.
 */
const dispatchingKinds: ReadonlySet<string> = new Set(['tool', 'agent', 'chain']);

/**
 * The built-in kinds a mission whose steps have `kinds` needs: just those when each is a plain
 * built-in; every kind when one dispatches to others or is unknown (so validation can suggest
 * the kind that was meant).
 */
export async function loadBuiltinStepKinds(kinds?: Iterable<string>): Promise<StepKind[]> {
  const wanted = kinds === undefined ? undefined : new Set(kinds);
  const everything = wanted === undefined || [...wanted].some((kind) => dispatchingKinds.has(kind) || !Object.hasOwn(loaders, kind));
  const names = everything ? builtinStepKindNames : builtinStepKindNames.filter((name) => wanted.has(name));
  return Promise.all(names.map((name) => loaders[name]()));
}
