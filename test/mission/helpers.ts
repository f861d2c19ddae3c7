/** Shared fixtures for the mission tests: a small registry with strict parameter schemas. */
import { StepKindRegistry } from '../../engine/steps/registry.js';
import type { StepKind } from '../../engine/steps/types.js';
import { formatIssue, parseMission, validateMission, type ValidateOptions } from '../../engine/mission/index.js';

function kind(name: string, parameters: Record<string, unknown>): StepKind {
  return { name, description: `test kind ${name}`, parameters, execute: async () => null };
}

/** noop (anything), create_file (strict), llm (prompt required). */
export function testRegistry(): StepKindRegistry {
  return new StepKindRegistry([
    kind('noop', { type: 'object' }),
    kind('create_file', {
      type: 'object',
      required: ['path'],
      additionalProperties: false,
      properties: { path: { type: 'string' }, content: { type: 'string' }, mode: { type: 'integer' } },
    }),
    kind('llm', {
      type: 'object',
      required: ['prompt'],
      properties: { prompt: { type: 'string' }, max_tokens: { type: 'integer', minimum: 1 } },
    }),
  ]);
}

/** Validates YAML text and returns the formatted issues. */
export function issuesOf(text: string, options?: ValidateOptions, file = 'm.yaml'): string[] {
  return validateMission(parseMission(text, file), testRegistry(), options).map(formatIssue);
}
