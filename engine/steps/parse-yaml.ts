/** `parse_yaml`: parses YAML text (one document) into a value later steps can read. */
import { parseDocument } from 'yaml';
import { MissionError, MissionErrorCode } from '../errors.js';
import { defineStepKind } from './define-step.js';
import { throwIfAborted } from './step-errors.js';

/** Parameters of `parse_yaml`. */
export interface ParseYamlParameters {
  content: string;
}

/** The `parse_yaml` step kind. Output: `{parsed, valid: true}`; invalid YAML fails the step. */
export const parseYamlStep = defineStepKind<ParseYamlParameters>({
  name: 'parse_yaml',
  description: 'Parse YAML text',
  parameters: {
    type: 'object',
    properties: { content: { type: 'string' } },
    required: ['content'],
    additionalProperties: false,
  },
  async run(parameters, context) {
    throwIfAborted(context.signal);
    const document = parseDocument(parameters.content, { prettyErrors: true, uniqueKeys: true });
    const [first] = document.errors;
    if (first) {
      const position = first.linePos?.[0];
      const where = position ? ` at line ${position.line}, column ${position.col}` : '';
      throw new MissionError(MissionErrorCode.parse, `parse_yaml: content is not valid YAML${where}: ${first.message.split('\n')[0]}`, { cause: first });
    }
    try {
      // Alias expansion is capped so a "billion laughs" document cannot exhaust memory.
      return { parsed: document.toJS({ maxAliasCount: 1000 }), valid: true };
    } catch (error) {
      throw new MissionError(MissionErrorCode.parse, `parse_yaml: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  },
});
