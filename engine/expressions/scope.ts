/**
 * What templates and conditions can see. The runner builds a {@link TemplateScope}; the renderer
 * turns it into the flat context jexl evaluates against.
 */

/** What a template sees of one step: `steps.<id>.output`, `.status`, `.error`. */
export interface StepResultScope {
  /** `pending`, `running`, `succeeded`, `failed`, `skipped`, … */
  status: string;
  output?: unknown;
  /** The failure message, when the step failed. */
  error?: string;
}

/** The fields a step exposes to templates; the validator rejects any other `steps.<id>.<field>`. */
export const stepScopeFields: readonly string[] = ['output', 'status', 'error'];

/** Everything a template or condition may read. */
export interface TemplateScope {
  steps: Record<string, StepResultScope>;
  vars: Record<string, unknown>;
  env: Readonly<Record<string, string | undefined>>;
  mission: { name: string; version: string; file: string };
  run: { id: string; workspace: string };
  /** ISO time; when absent, the time of rendering. Also exposed as legacy `timestamp`. */
  now?: string;
  /** The current element inside a `for_each` step. */
  item?: unknown;
  /** The current element's 0-based position inside a `for_each` step. */
  index?: number;
  /** RustChain's single-brace variables (`{key}`, `{previous_result}`), substituted as text. */
  legacy?: Record<string, string>;
}

/** Root names an expression may start with. */
export const scopeRoots: readonly string[] = [
  'steps', 'vars', 'env', 'mission', 'run', 'now', 'timestamp', 'item', 'index',
];

/** The jexl context for a scope (the legacy map is text substitution, not a jexl name). */
export function expressionContext(scope: TemplateScope): Record<string, unknown> {
  const now = scope.now ?? new Date().toISOString();
  return {
    steps: scope.steps,
    vars: scope.vars,
    env: scope.env,
    mission: scope.mission,
    run: scope.run,
    now,
    timestamp: now,
    item: scope.item,
    index: scope.index,
  };
}
