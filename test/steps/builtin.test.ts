import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { builtinStepKinds } from '../../engine/steps/builtin.js';
import { StepKindRegistry, unsupportedRustchainKinds } from '../../engine/steps/registry.js';

const expectedNames = [
  'agent', 'chain', 'command', 'copy_file', 'create_file', 'csv_process', 'delete_file', 'edit_file', 'file_search', 'http',
  'list_directory', 'llm', 'move_file', 'noop', 'parse_json', 'parse_yaml', 'read_file', 'tool', 'validate_schema',
];

const referenceDirectory = fileURLToPath(new URL('../fixtures/rustchain-missions/', import.meta.url));

/** RustChain's spellings (`Command`, `CreateFile`, `{type: x}`) in snake_case. */
function kindName(stepType: unknown): string {
  const raw = typeof stepType === 'object' && stepType !== null ? Object.keys(stepType)[0] : String(stepType);
  return raw.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

describe('builtinStepKinds', () => {
  it('lists every file, data, command and http kind once, none of them marked unsupported', () => {
    const kinds = builtinStepKinds();
    const registry = new StepKindRegistry(kinds);
    expect(registry.names()).toEqual(expectedNames);
    expect(kinds).toHaveLength(expectedNames.length);
    for (const name of expectedNames) expect(unsupportedRustchainKinds.has(name)).toBe(false);
  });

  it('returns a fresh array each call', () => {
    const first = builtinStepKinds();
    first.pop();
    expect(builtinStepKinds()).toHaveLength(expectedNames.length);
  });

  it('gives every kind a description and a parameter schema that compiles in strict mode', () => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    for (const kind of builtinStepKinds()) {
      expect(kind.description.length).toBeGreaterThan(5);
      expect(kind.parameters.type).toBe('object');
      expect(() => ajv.compile(kind.parameters)).not.toThrow();
    }
  });

  it('accepts the parameters RustChain\'s own example missions give these kinds', () => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
    // tool and the model-calling kinds are covered by the mission compatibility test: some reference files
    // give them parameters RustChain itself rejects (an agent without an objective, a Tool with config).
    const modelKinds = new Set(['llm', 'agent', 'chain', 'tool']);
    const kinds = new Map(
      builtinStepKinds()
        .filter((kind) => !modelKinds.has(kind.name))
        .map((kind) => [kind.name, ajv.compile(kind.parameters)]),
    );
    const checked = new Map<string, number>();
    for (const file of readdirSync(referenceDirectory)) {
      const text = readFileSync(referenceDirectory + file, 'utf8');
      const mission = file.endsWith('.json') ? JSON.parse(text) : parse(text);
      for (const step of mission?.steps ?? []) {
        const name = kindName(step.step_type);
        const validate = kinds.get(name);
        if (!validate) continue;
        const valid = validate(step.parameters ?? {});
        expect(valid, `${file} step ${step.id} (${name}): ${JSON.stringify(validate.errors)}`).toBe(true);
        checked.set(name, (checked.get(name) ?? 0) + 1);
      }
    }
    // The reference set exercises these kinds; if it stopped doing so this test would prove nothing.
    expect(checked.get('create_file')).toBeGreaterThan(10);
    expect(checked.get('command')).toBeGreaterThan(10);
    expect(checked.get('http')).toBeGreaterThanOrEqual(5);
    expect(checked.get('noop')).toBe(1);
  });
});
