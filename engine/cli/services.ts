/**
 * The services the CLI wires into step kinds: the LLM layer over the providers discovered from the
 * environment (and a quick probe of local Ollama and Shimmy), configured by the project's
 * mission.config.yaml and the mission's llm: block — only when the mission has model-calling steps.
 */
import { discoverProviders } from '../../providers/discovery.js';
import type { ProjectConfig } from '../config/project-config.js';
import type { MissionDefinition } from '../mission/types.js';
import { createLlmService } from '../steps/llm/create-llm-service.js';
import type { StepServices } from '../steps/types.js';

/** Step kinds that call a model. */
const modelKinds = new Set(['llm', 'agent', 'chain']);

/** Builds the services for a CLI run of `mission`. */
export async function createStepServices(mission: MissionDefinition, signal?: AbortSignal, project?: ProjectConfig, databasePath?: string): Promise<StepServices> {
  if (!mission.steps.some((step) => modelKinds.has(step.kind))) return {};
  const discovery = await discoverProviders(process.env, { probe: true, probeKeyed: false, signal });
  const onBudgetAlert = (alert: { bucket: string; percent: number; exhausted: boolean }): void => {
    process.stderr.write(`budget ${alert.bucket}: ${alert.exhausted ? 'exhausted' : `${alert.percent} % spent`}\n`);
  };
  return { llm: createLlmService({ providers: discovery.registry, config: project?.llm, mission, stageDependencies: { databasePath, onBudgetAlert } }) };
}
