/**
 * Reads a safety policy for `mission safety scan --policy`: a YAML or JSON file holding the
 * `safety` block itself, a `safety:` key, or `llm: { safety: … }` (a mission or a
 * mission.config.yaml). Problems are printed as `file:line:col: message` and exit 2.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { validateSafetyConfig } from '../../providers/layer/safety/validate-config.js';
import type { SafetyConfig } from '../../providers/layer/safety/config.js';
import { SourcePositions } from '../mission/source-positions.js';
import { CliExit, ExitCode } from './cli-context.js';

/** Largest policy file read. */
const maxPolicyBytes = 1_000_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Loads and validates a policy file; exits 2 with positioned messages when it is not valid. */
export function loadSafetyPolicyFile(file: string): SafetyConfig {
  let text: string;
  try {
    const buffer = readFileSync(file);
    if (buffer.byteLength > maxPolicyBytes) throw new CliExit(ExitCode.invalid, `${file}: policy file is over ${maxPolicyBytes} bytes`);
    text = buffer.toString('utf8');
  } catch (error) {
    if (error instanceof CliExit) throw error;
    throw new CliExit(ExitCode.invalid, `${file}: cannot read the policy file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, schema: file.toLowerCase().endsWith('.json') ? 'json' : 'core' });
  const positions = new SourcePositions(document, lineCounter, text);
  const [error] = document.errors;
  if (error) {
    const { line, column } = positions.positionAt(error.pos[0]);
    throw new CliExit(ExitCode.invalid, `${file}:${line}:${column}: ${error.message.split('\n')[0]}`);
  }
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    throw new CliExit(ExitCode.invalid, `${file}:1:1: ${(cause as Error).message}`);
  }
  let base = '';
  let block: unknown = raw ?? {};
  if (isRecord(raw) && isRecord(raw.llm) && 'safety' in raw.llm) {
    base = '/llm/safety';
    block = raw.llm.safety;
  } else if (isRecord(raw) && 'safety' in raw) {
    base = '/safety';
    block = raw.safety;
  }
  const issues = validateSafetyConfig(block);
  if (issues.length > 0) {
    const lines = issues.map((issue) => {
      const { line, column } = positions.positionOf(base + issue.pointer);
      return `${file}:${line}:${column}: safety${issue.pointer ? ` ${issue.pointer}` : ''}: ${issue.message}`;
    });
    throw new CliExit(ExitCode.invalid, lines.join('\n'));
  }
  return block as SafetyConfig;
}
