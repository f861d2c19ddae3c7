/** Mission loading, validation and planning. */
export { loadMissionFile, parseMission } from './load.js';
export { validateMission, formatIssue, formatIssues } from './validate.js';
export type { ValidateOptions } from './validate.js';
export { planLevels } from './plan.js';
export { missionSchema } from './schema-check.js';
export { normalizeMission, normalizeStepType, defaultMaxParallelSteps, defaultRetryPolicy } from './normalize.js';
export { editDistance, closestName, didYouMean } from './suggest.js';
export { isTemplateString } from './kind-check.js';
export type * from './types.js';
