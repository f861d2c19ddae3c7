/** `parse_json`: parses JSON text into a value later steps can read. */
import { MissionError, MissionErrorCode } from '../errors.js';
import { defineStepKind } from './define-step.js';
import { throwIfAborted } from './step-errors.js';

/** Parameters of `parse_json`. */
export interface ParseJsonParameters {
  content: string;
}

/**
 * Parses JSON, throwing `MISSION_ERR_PARSE` with the parser's position on failure.
 * `what` names the input in the message ("content", "data").
 */
export function parseJsonText(text: string, kind: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    // V8 quotes the input in its message; keep that short so a big document does not flood logs.
    const short = detail.length > 200 ? `${detail.slice(0, 200)}…` : detail;
    throw new MissionError(MissionErrorCode.parse, `${kind}: ${what} is not valid JSON: ${short}`, { cause: error });
  }
}

/** The `parse_json` step kind. Output: `{parsed, valid: true}`; invalid JSON fails the step. */
export const parseJsonStep = defineStepKind<ParseJsonParameters>({
  name: 'parse_json',
  description: 'Parse JSON text',
  parameters: {
    type: 'object',
    properties: { content: { type: 'string' } },
    required: ['content'],
    additionalProperties: false,
  },
  async run(parameters, context) {
    throwIfAborted(context.signal);
    return { parsed: parseJsonText(parameters.content, 'parse_json', 'content'), valid: true };
  },
});
