/**
 * Hints for unknown properties: the names people carry over from RustChain's own JSON examples,
 * GitHub Actions and other workflow tools, mapped to what this format calls them.
 */
import { didYouMean } from './suggest.js';

type Context = 'mission' | 'step' | 'config' | 'retry';

const aliases: Record<Context, Record<string, string>> = {
  mission: {
    variables: "did you mean 'vars'?",
    inputs: "did you mean 'vars'?",
    parameters: "declare mission inputs under 'vars' (name: default value)",
    env: "did you mean 'vars'? (environment variables are read as env.NAME in templates)",
    tasks: "did you mean 'steps'?",
    jobs: "did you mean 'steps'?",
    settings: "did you mean 'config'?",
    options: "did you mean 'config'?",
    timeout: "did you mean 'timeout_seconds'?",
    output: "did you mean 'outputs'?",
    results: "did you mean 'outputs'?",
    dependencies: "list each step's prerequisites in that step's 'depends_on'",
  },
  step: {
    dependencies: "did you mean 'depends_on'?",
    depends: "did you mean 'depends_on'?",
    needs: "did you mean 'depends_on'?",
    after: "did you mean 'depends_on'?",
    requires: "did you mean 'depends_on'?",
    timeout: "did you mean 'timeout_seconds'?",
    config: "did you mean 'parameters'?",
    params: "did you mean 'parameters'?",
    with: "did you mean 'parameters'?",
    inputs: "did you mean 'parameters'?",
    args: "step arguments go under 'parameters'",
    type: "did you mean 'step_type'?",
    kind: "did you mean 'step_type'?",
    uses: "did you mean 'step_type'?",
    condition: "did you mean 'if'?",
    when: "did you mean 'if'?",
    retries: "did you mean 'retry'? (e.g. retry: {max_attempts: 3})",
    retry_count: "did you mean 'retry'? (e.g. retry: {max_attempts: 3})",
    on_failure: "did you mean 'continue_on_error'? (continue_on_error: true)",
    on_error: "did you mean 'continue_on_error'? (continue_on_error: true)",
    ignore_errors: "did you mean 'continue_on_error'?",
    foreach: "did you mean 'for_each'?",
    loop: "did you mean 'for_each'?",
    matrix: "did you mean 'for_each'?",
    parallel: "steps without a depends_on path between them already run in parallel (up to config.max_parallel_steps)",
    outputs: "a step's result is read as steps.<id>.output; mission-wide results go in the top-level 'outputs'",
  },
  config: {
    max_parallel: "did you mean 'max_parallel_steps'?",
    parallelism: "did you mean 'max_parallel_steps'?",
    concurrency: "did you mean 'max_parallel_steps'?",
    timeout: "did you mean 'timeout_seconds'?",
    stop_on_error: "did you mean 'fail_fast'?",
    continue_on_error: "did you mean 'fail_fast'? (fail_fast: false)",
  },
  retry: {
    attempts: "did you mean 'max_attempts'?",
    max_retries: "did you mean 'max_attempts'? (it counts the first attempt too)",
    retries: "did you mean 'max_attempts'? (it counts the first attempt too)",
    delay: "did you mean 'initial_delay_ms'?",
    initial_delay: "did you mean 'initial_delay_ms'?",
    backoff: "did you mean 'backoff_multiplier'?",
    multiplier: "did you mean 'backoff_multiplier'?",
    factor: "did you mean 'backoff_multiplier'?",
    max_delay: "did you mean 'max_delay_ms'?",
    on: "did you mean 'retry_on'?",
  },
};

/** Which alias table applies to the object at a pointer into the mission document. */
function contextOf(pointer: string): Context | undefined {
  if (pointer === '') return 'mission';
  if (/^\/steps\/\d+$/.test(pointer)) return 'step';
  if (pointer === '/config') return 'config';
  if (/^\/steps\/\d+\/retry$/.test(pointer)) return 'retry';
  return undefined;
}

/**
 * A hint for an unknown property `name` in the object at `containerPointer`, whose allowed
 * properties are `allowed`: a known alias, else the closest allowed name, else the list.
 */
export function unknownPropertyHint(name: string, containerPointer: string, allowed: string[]): string | undefined {
  const context = contextOf(containerPointer);
  const alias = context ? aliases[context][name] : undefined;
  if (alias && Object.prototype.hasOwnProperty.call(aliases[context!], name)) return alias;
  const suggestion = didYouMean(name, allowed);
  if (suggestion) return suggestion;
  return allowed.length > 0 ? `allowed here: ${allowed.join(', ')}` : undefined;
}

/**
 * Whether an unknown property looks like a mistake for a known one: it has an alias entry (e.g.
 * `dependencies`, `max_parallel`) or is close to an allowed name. Such keys are errors even where
 * other unknown keys are ignored.
 */
export function looksLikeMisnaming(name: string, containerPointer: string, allowed: string[]): boolean {
  const context = contextOf(containerPointer);
  if (context && Object.prototype.hasOwnProperty.call(aliases[context], name)) return true;
  return didYouMean(name, allowed) !== undefined;
}
