/**
 * Routes: an `llm`, `agent` or `chain` step that names a `route` must name one the mission's
 * `llm.routes` or the project's `mission.config.yaml` defines, and must not also name a
 * provider or model (which would say two different things about where the call goes).
 */
import { isTemplateString } from './kind-check.js';
import { toPointer } from './source-positions.js';
import { didYouMean } from './suggest.js';
import type { LoadedMission, ValidationIssue } from './types.js';

/** Step kinds whose parameters accept `route`. */
const routedKinds = new Set(['llm', 'agent', 'chain']);

/** Options of {@link routeIssues}. */
export interface RouteCheckOptions {
  /** Route names defined outside the mission (the project's mission.config.yaml). */
  projectRoutes?: string[];
}

/** Unknown routes, and routes given beside a provider or model. */
export function routeIssues(loaded: LoadedMission, options: RouteCheckOptions = {}): ValidationIssue[] {
  const defined = new Set([...Object.keys(loaded.mission.llm?.routes ?? {}), ...(options.projectRoutes ?? [])]);
  const issues: ValidationIssue[] = [];
  loaded.mission.steps.forEach((step, position) => {
    if (!routedKinds.has(step.kind)) return;
    const route = step.parameters.route;
    if (typeof route !== 'string' || isTemplateString(route)) return;
    const pointer = toPointer(['steps', position, 'parameters', 'route']);
    const add = (message: string, hint?: string): void => {
      issues.push({ file: loaded.file, ...loaded.positionOf(pointer), pointer, message, ...(hint ? { hint } : {}) });
    };
    if (!defined.has(route)) {
      add(
        `step '${step.id}' names route '${route}', which no llm.routes defines`,
        didYouMean(route, defined) ??
          (defined.size > 0 ? `defined routes: ${[...defined].sort().join(', ')}` : 'define it under llm: routes: in the mission or in mission.config.yaml'),
      );
    }
    const alsoNamed = ['provider', 'model'].filter((name) => step.parameters[name] !== undefined);
    if (alsoNamed.length > 0) add(`step '${step.id}' names both a route and ${alsoNamed.join(' and ')}`, `remove ${alsoNamed.join(' and ')}: the route's targets say where the call goes`);
  });
  return issues;
}
