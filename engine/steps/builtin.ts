/** The built-in step kinds this package ships (files, data, command, http, and the model-calling llm, agent, chain). */
import { commandStep } from './command.js';
import { copyFileStep } from './copy-file.js';
import { createFileStep } from './create-file.js';
import { csvProcessStep } from './csv-process.js';
import { deleteFileStep } from './delete-file.js';
import { editFileStep } from './edit-file.js';
import { fileSearchStep } from './file-search.js';
import { httpStep } from './http.js';
import { listDirectoryStep } from './list-directory.js';
import { moveFileStep } from './move-file.js';
import { noopStep } from './noop.js';
import { parseJsonStep } from './parse-json.js';
import { parseYamlStep } from './parse-yaml.js';
import { readFileStep } from './read-file.js';
import { agentStep } from './llm/agent-step.js';
import { chainStep } from './llm/chain-step.js';
import { llmStep } from './llm/llm-step.js';
import { toolStep } from './tool.js';
import type { StepKind } from './types.js';
import { validateSchemaStep } from './validate-schema.js';

/** Every built-in step kind, fresh array per call (callers may add their own to it). */
export function builtinStepKinds(): StepKind[] {
  return [
    noopStep,
    createFileStep,
    editFileStep,
    deleteFileStep,
    copyFileStep,
    moveFileStep,
    readFileStep,
    listDirectoryStep,
    fileSearchStep,
    parseJsonStep,
    parseYamlStep,
    validateSchemaStep,
    csvProcessStep,
    commandStep,
    httpStep,
    llmStep,
    agentStep,
    chainStep,
    toolStep,
  ] as StepKind[];
}
