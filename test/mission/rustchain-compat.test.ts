/**
 * Every RustChain example mission, loaded and validated with the built-in step kinds. Each entry
 * of the table was written by reading the file: "valid", or the first problem(s) it really has.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadMissionFile, validateMission } from '../../engine/mission/index.js';
import type { ValidationIssue } from '../../engine/mission/types.js';
import { errorsOf } from '../../engine/mission/validate.js';
import { builtinStepKinds } from '../../engine/steps/builtin.js';
import { StepKindRegistry } from '../../engine/steps/registry.js';

const missionsDirectory = fileURLToPath(new URL('../fixtures/rustchain-missions/', import.meta.url));

/**
 * File → 'valid'; or, for a file that runs with warnings, all its warnings; or, for an invalid
 * file, its first errors — each as `line:column: message`, in order.
 */
const expected: Record<string, 'valid' | string[]> = {
  'demo__build_ai_tool.yaml': 'valid',
  'demo__gif_mission.yaml': 'valid',
  'examples__agent_demo.yaml': 'valid',
  // The agent kind takes name/objective/tools/…; RustChain silently ignored `context_file`.
  'examples__agent_reasoning.yaml': 'valid',
  'examples__api_integration.yaml': 'valid',
  'examples__automation_workflow.yaml': 'valid',
  'examples__benchmark_suite.yaml': 'valid',
  'examples__chain_demo.yaml': 'valid',
  // The JSON examples use an older dialect: `Tool` steps with `config`, `dependencies`, `timeout`.
  'examples__data_processing.json': [
    "7:5: step 'create_workspace' is missing required parameter 'tool'",
    "11:7: unknown property 'config' in step 'create_workspace'",
  ],
  // `tool` runs a registered step kind; RustChain's example names a tool nobody registers.
  'examples__data_processing.yaml': ["26:13: tool 'csv_loader' is not registered"],
  'examples__hello_world.json': ["7:5: step 'greet' is missing required parameter 'tool'", "11:7: unknown property 'config' in step 'greet'"],
  'examples__hello_world.yaml': 'valid',
  'examples__hello_world_fixed.yaml': 'valid',
  'examples__llm_demo.yaml': 'valid',
  // PascalCase step types are not RustChain's serde spelling either.
  'examples__performance_test.yaml': ["8:16: unknown step kind 'CreateFile'", "28:13: tool 'csv_loader' is not registered"],
  'examples__safety_demo.json': [
    "7:5: step 'safe_operation' is missing required parameter 'tool'",
    "11:7: unknown property 'config' in step 'safe_operation'",
  ],
  // Extra `config` keys that nothing reads: ignored with a warning, as RustChain ignores them.
  'examples__security_validation.yaml': [
    "346:3: warning: unknown property 'security_mode' in 'config' is ignored",
    "347:3: warning: unknown property 'audit_all_operations' in 'config' is ignored",
    "348:3: warning: unknown property 'require_policy_validation' in 'config' is ignored",
  ],
  'examples__security_workflow.yaml': [
    "8:16: unknown step kind 'CreateFile'",
    "31:16: unknown step kind 'Policy'",
    "44:16: unknown step kind 'Safety'",
    "54:16: unknown step kind 'Audit'",
    "67:16: unknown step kind 'CreateFile'",
    '109:33: template syntax error in {{ risk_score | default: "LOW" }}: token : (colon) unexpected',
  ],
  // A top-level `dependencies` list RustChain ignores: the steps would run unordered.
  'examples__shimmy_integration_demo.yaml': ["27:1: unknown property 'dependencies' in the mission"],
  'examples__showcase_workflow.yaml': [
    "818:3: warning: unknown property 'enterprise_mode' in 'config' is ignored",
    "819:3: warning: unknown property 'compliance_validation' in 'config' is ignored",
    "820:3: warning: unknown property 'comprehensive_audit' in 'config' is ignored",
    "821:3: warning: unknown property 'performance_monitoring' in 'config' is ignored",
  ],
  'examples__tool_demo.yaml': 'valid',
  'examples__working_demo.yaml': 'valid',
  'gif_demo__simple_demo.yaml': 'valid',
  'missions__done_mv_champion_6c_doc_testing.yaml': ["48:1: unknown property 'dependencies' in the mission"],
  // Marketplace metadata at the top level and a `parameters:` list instead of `vars`.
  'missions__library__development-operations__comprehensive_spec_audit_concurrent.yaml': [
    "11:1: unknown property 'parameters' in the mission",
  ],
  'missions__library__development-operations__generate_specifications_automated.yaml': [
    "11:1: unknown property 'parameters' in the mission",
  ],
  'missions__website_update.yaml': ["7:3: unknown property 'max_parallel' in 'config'", "13:16: unknown step kind 'Command'"],
  // `rustchain init` scaffolds: `{{name}}` placeholders, and reads of steps not depended on.
  'src__cli__templates__agent_mission.yaml': [
    "9:7: step 'agent_task' is missing required parameter 'objective'",
    "9:7: unknown parameter 'agent_type' in step 'agent_task'",
    "10:7: unknown parameter 'task' in step 'agent_task'",
    "10:46: unknown name 'name' in {{name}}",
  ],
  'src__cli__templates__basic_mission.yaml': ["10:47: unknown name 'name' in {{name}}"],
  'src__cli__templates__llm_mission.yaml': [
    "11:79: unknown name 'name' in {{name}}",
    "18:17: step 'save_results' reads steps.llm_task, but does not depend on 'llm_task'",
  ],
};

const registry = new StepKindRegistry(builtinStepKinds());

describe('RustChain example missions', () => {
  const files = readdirSync(missionsDirectory).filter((name) => /\.(ya?ml|json)$/.test(name)).sort();

  it('covers all 30 reference files, each in the table', () => {
    expect(files).toHaveLength(30);
    expect(files).toEqual(Object.keys(expected).sort());
  });

  it.each(files)('%s', async (name) => {
    const loaded = await loadMissionFile(`${missionsDirectory}${name}`);
    expect(loaded.mission.steps.length).toBeGreaterThan(0);
    const found = validateMission(loaded, registry);
    const format = (issue: ValidationIssue): string =>
      `${issue.line}:${issue.column}: ${issue.severity === 'warning' ? 'warning: ' : ''}${issue.message}`;
    const errors = errorsOf(found).map(format);
    const outcome = expected[name];
    if (outcome === 'valid') expect(found.map(format)).toEqual([]);
    else if (outcome.every((line) => line.includes(': warning: '))) {
      // Runs, with warnings about keys it ignores.
      expect(errors).toEqual([]);
      expect(found.map(format)).toEqual(outcome);
    } else expect(errors.slice(0, outcome.length)).toEqual(outcome);
  });

  it('gives the fixes people need for the old JSON dialect', async () => {
    const loaded = await loadMissionFile(`${missionsDirectory}examples__hello_world.json`);
    const hints = validateMission(loaded, registry).filter((issue) => issue.line <= 18).map((issue) => issue.hint);
    expect(hints).toEqual([
      undefined,
      "did you mean 'parameters'?",
      "did you mean 'depends_on'?",
      "did you mean 'timeout_seconds'?",
      "did you mean 'retry'? (e.g. retry: {max_attempts: 3})",
      "did you mean 'continue_on_error'? (continue_on_error: true)",
    ]);
  });
});
