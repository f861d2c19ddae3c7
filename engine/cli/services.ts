/**
 * The services the CLI wires into step kinds.
 */
import type { Logger } from 'pino';
import type { StepServices } from '../steps/types.js';

/** Builds the services for a CLI run. */
export function createStepServices(logger: Logger): StepServices {
  return { logger };
}
