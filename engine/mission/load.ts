/**
 * Reads mission files. YAML and JSON both go through the `yaml` parser (JSON is YAML), which keeps
 * every node's source range, so any problem can later be reported at its line and column.
 */
import { readFile } from 'node:fs/promises';
import { Composer, Document, isMap, isPair, isScalar, isSeq, LineCounter, Parser, YAMLParseError, type Node } from 'yaml';
import { MissionError, MissionErrorCode } from '../errors.js';
import { excessiveNestingOffset, maxNestingDepth } from './nesting-limit.js';
import { normalizeMission } from './normalize.js';
import { SourcePositions } from './source-positions.js';
import type { LoadedMission } from './types.js';

/**
 * Parses mission text. Throws `MISSION_ERR_LOAD` (`file:line:column: message`) on a syntax error
 * only; schema problems are left for {@link validateMission} to report, all at once.
 */
export function parseMission(text: string, file: string): LoadedMission {
  const lineCounter = new LineCounter();
  // One pass of yaml's iterative parser gives the concrete syntax tree, measured for depth before
  // anything walks it recursively (see nesting-limit.ts), then composed into the document.
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  const tooDeep = excessiveNestingOffset(tokens);
  if (tooDeep !== undefined) {
    const { line, col } = lineCounter.linePos(tooDeep);
    throw new MissionError(
      MissionErrorCode.load,
      `${file}:${line}:${col}: maps and lists are nested more than ${maxNestingDepth} levels deep here; a mission may nest at most ${maxNestingDepth}`,
    );
  }
  const isJson = file.toLowerCase().endsWith('.json');
  const composer = new Composer({
    // JSON files get YAML's JSON schema, so `yes` or `1.0` mean what they mean in JSON.
    schema: isJson ? 'json' : 'core',
    // yaml's own duplicate-key check compares each key with every earlier one (quadratic: a
    // minute for 50,000 keys); duplicateKeyOffset does the same job in linear time.
    uniqueKeys: false,
  });
  let document: Document.Parsed | undefined;
  for (const composed of composer.compose(tokens, true, text.length)) {
    if (!document) document = composed;
    else {
      document.errors.push(new YAMLParseError([composed.range[0], composed.range[1]], 'MULTIPLE_DOCS', 'a mission file holds one document; this one has more (a second `---`)'));
      break;
    }
  }
  // compose(…, forceDoc = true) always yields a document, even for empty text.
  document ??= new Document() as Document.Parsed;
  const positions = new SourcePositions(document, lineCounter, text);
  const [error] = document.errors;
  if (error) {
    const { line, column } = positions.positionAt(error.pos[0]);
    const message = error.message.split('\n')[0];
    throw new MissionError(MissionErrorCode.load, `${file}:${line}:${column}: ${message}`, { cause: error });
  }
  const duplicate = duplicateKeyOffset(document.contents);
  if (duplicate !== undefined) {
    const { line, column } = positions.positionAt(duplicate.offset);
    throw new MissionError(MissionErrorCode.load, `${file}:${line}:${column}: Map keys must be unique ('${excerptKey(duplicate.key)}' appears twice)`);
  }
  let raw: unknown;
  try {
    // Anchors in a mission file are fine, but a billion-laughs alias bomb is not.
    raw = document.toJS({ maxAliasCount: 1000 });
  } catch (cause) {
    throw new MissionError(
      MissionErrorCode.load,
      // A stack overflow here comes from aliases nesting anchors in each other beyond any file depth.
      `${file}:1:1: ${cause instanceof RangeError ? `aliases nest the document too deeply (a mission may nest at most ${maxNestingDepth} levels)` : cause instanceof Error ? cause.message : String(cause)}`,
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

/** The first key that repeats an earlier key of the same map, with its offset. Linear time. */
function duplicateKeyOffset(root: unknown): { key: string; offset: number } | undefined {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const key = isScalar(item.key) ? item.key.value : item.key;
        if (seen.has(key)) return { key: String(key), offset: (item.key as Node | null)?.range?.[0] ?? 0 };
        seen.add(key);
        pending.push(item.value);
      }
    } else if (isSeq(node)) {
      pending.push(...node.items);
    }
  }
  return undefined;
}

function excerptKey(key: string): string {
  return key.length > 60 ? `${key.slice(0, 57)}...` : key;
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
