import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EMPTY } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LayerRequest } from '../../providers/layer/stage.js';
import { builtinStepKinds } from '../../engine/steps/builtin.js';
import { agentStep } from '../../engine/steps/llm/agent-step.js';
import type { LlmService } from '../../engine/steps/llm/llm-service.js';
import { maxReadFileBytes } from '../../engine/steps/read-file.js';
import { StepKindRegistry } from '../../engine/steps/registry.js';
import { createTestContext, makeTempDirectory, removeTempDirectory } from '../steps/context.js';

let workspace: string;
const requests: LayerRequest[] = [];

/**
 * A model that answers every call at once with an empty text and no tool call (the tests that
 * only look at the request accept that with allow_empty_answer).
 */
const service: LlmService = {
  resolve: () => ({ provider: 'stub', model: 'stub-model' }),
  stream: (request) => {
    requests.push(request);
    return EMPTY;
  },
};

beforeEach(async () => {
  workspace = await makeTempDirectory('agent-context-');
  requests.length = 0;
});
afterEach(() => removeTempDirectory(workspace));

function contextWithServices() {
  return createTestContext(workspace, { services: { llm: service, stepKinds: new StepKindRegistry(builtinStepKinds()) } });
}

describe('agent without tools', () => {
  it('sends neither tools nor a tool choice (providers refuse a tool choice with no tools)', async () => {
    const { context } = contextWithServices();
    const output = await agentStep.execute({ objective: 'think', tools: [], allow_empty_answer: true }, context);
    expect(output).toMatchObject({ iterations: 1 });
    expect(requests[0].tools).toBeUndefined();
    expect(requests[0].toolChoice).toBeUndefined();
  });
});

describe('agent context_file', () => {
  it('gives the file text to the model with the objective', async () => {
    await writeFile(path.join(workspace, 'brief.txt'), 'the brief');
    const { context } = contextWithServices();
    await agentStep.execute({ objective: 'do it', context_file: 'brief.txt', allow_empty_answer: true }, context);
    expect(requests[0].messages[1].content).toContain('the brief');
  });

  it.skipIf(process.platform === 'win32')('refuses a context file that is not a regular file instead of blocking on it', async () => {
    execFileSync('mkfifo', [path.join(workspace, 'pipe')]);
    const { context } = contextWithServices();
    await expect(agentStep.execute({ objective: 'do it', context_file: 'pipe' }, context)).rejects.toMatchObject({
      code: 'MISSION_ERR_IO',
      message: expect.stringContaining('not a regular file'),
    });
    expect(requests).toHaveLength(0);
  });

  it('refuses a context file over the read_file size limit instead of loading it whole', async () => {
    // A sparse file: large by size, cheap on disk.
    execFileSync('truncate', ['-s', String(maxReadFileBytes + 1), path.join(workspace, 'huge.bin')]);
    const { context } = contextWithServices();
    await expect(agentStep.execute({ objective: 'do it', context_file: 'huge.bin' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_IO' });
    expect(requests).toHaveLength(0);
  });
});
