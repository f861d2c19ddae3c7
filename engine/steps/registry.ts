/**
 * The set of step kinds a run can use: the built-ins plus whatever an embedding application
 * registers. The validator reads parameter schemas from it; the runner reads `execute`.
 */
import type { StepKind } from './types.js';

/**
 * RustChain step kinds that this engine does not implement yet. A mission using one fails
 * validation with a message that names the kind as unsupported (not as a typo).
 */
export const unsupportedRustchainKinds: ReadonlySet<string> = new Set([
  'parse_xml', 'compile_code', 'run_tests', 'format_code', 'lint_code', 'extract_functions', 'generate_docs',
  'git_commit', 'git_branch', 'git_merge', 'git_status', 'git_diff', 'process_start', 'process_kill',
  'monitor_resources', 'service_health', 'compress', 'sql_query', 'redis_set', 'redis_get', 'db_backup',
  'db_migrate', 'websocket_connect', 'ftp_upload', 'ftp_download', 'ssh_execute', 'ping_host',
  'generate_embedding', 'similarity_search', 'model_inference', 'rag_query', 'rag_add',
]);

/** A name → {@link StepKind} map with registration checks. */
export class StepKindRegistry {
  private readonly kinds = new Map<string, StepKind>();

  constructor(kinds: Iterable<StepKind> = []) {
    for (const kind of kinds) this.register(kind);
  }

  /** Adds a kind; a custom kind may replace a built-in of the same name. */
  register(kind: StepKind): this {
    if (!/^[a-z][a-z0-9_]*$/.test(kind.name)) {
      throw new TypeError(`step kind name "${kind.name}" must be snake_case (a-z, 0-9, _)`);
    }
    this.kinds.set(kind.name, kind);
    return this;
  }

  get(name: string): StepKind | undefined {
    return this.kinds.get(name);
  }

  has(name: string): boolean {
    return this.kinds.has(name);
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.kinds.keys()].sort();
  }
}
