/**
 * Reads mission files. YAML and JSON both go through the `yaml` parser (JSON is YAML), which keeps
 * every node's source range, so any problem can later be reported at its line and column.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { MissionError, MissionErrorCode } from '../errors.js';
import { normalizeMission } from './normalize.js';
import { SourcePositions } from './source-positions.js';
import type { LoadedMission } from './types.js';

/**
 * Parses mission text. Throws `MISSION_ERR_LOAD` (`file:line:column: message`) on a syntax error
 * only; schema problems are left for {@link validateMission} to report, all at once.
 */
export function parseMission(text: string, file: string): LoadedMission {
  const lineCounter = new LineCounter();
  const isJson = file.toLowerCase().endsWith('.json');
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    // JSON files get YAML's JSON schema, so `yes` or `1.0` mean what they mean in JSON.
    schema: isJson ? 'json' : 'core',
  });
  const positions = new SourcePositions(document, lineCounter, text);
  const [error] = document.errors;
  if (error) {
    const { line, column } = positions.positionAt(error.pos[0]);
    const message = error.message.split('\n')[0];
    throw new MissionError(MissionErrorCode.load, `${file}:${line}:${column}: ${message}`, { cause: error });
  }
  let raw: unknown;
  try {
    // Anchors in a mission file are fine, but a billion-laughs alias bomb is not.
    raw = document.toJS({ maxAliasCount: 1000 });
  } catch (cause) {
    throw new MissionError(
      MissionErrorCode.load,
      `${file}:1:1: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  return {
    mission: normalizeMission(raw),
    file,
    source: text,
    raw,
    positionOf: (pointer) => positions.positionOf(pointer),
    keyPositionOf: (pointer) => positions.keyPositionOf(pointer),
    positionInValue: (pointer, offset) => positions.positionInValue(pointer, offset),
  };
}

/** Reads and parses a mission file (see {@link parseMission}); unreadable files → `MISSION_ERR_LOAD`. */
export async function loadMissionFile(path: string): Promise<LoadedMission> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'cannot read file';
    throw new MissionError(MissionErrorCode.load, `${path}: ${reason}`, { cause });
  }
  return parseMission(text, path);
}
