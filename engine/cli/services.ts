/**
 * The services the CLI wires into step kinds: LLM providers, discovered from the environment
 * (and a quick probe of local Ollama and Shimmy) only when the mission has model-calling steps.
 */
import { discoverProviders } from '../../providers/discovery.js';
import type { MissionDefinition } from '../mission/types.js';
import { llmServiceFromProviders } from '../steps/llm/llm-service.js';
import type { StepServices } from '../steps/types.js';

/** Step kinds that call a model. */
const modelKinds = new Set(['llm', 'agent', 'chain']);

/** Builds the services for a CLI run of `mission`. */
export async function createStepServices(mission: MissionDefinition, signal?: AbortSignal): Promise<StepServices> {
  if (!mission.steps.some((step) => modelKinds.has(step.kind))) return {};
  const discovery = await discoverProviders(process.env, { probe: true, probeKeyed: false, signal });
  return { llm: llmServiceFromProviders(discovery.registry) };
}
