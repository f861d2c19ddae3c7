/**
 * Splits a one-string command line (`"chmod +x tool.py"`, as RustChain examples write it) into a
 * program and its arguments — without a shell: quotes group words and backslashes escape, but
 * nothing is expanded, globbed, piped or redirected.
 */
import { MissionError, MissionErrorCode } from '../errors.js';

/** Splits `line` into words, honouring '…', "…" and backslash escapes as POSIX shells do. */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let index = 0; index < line.length; index += 1) {
    const character = line[index];
    if (quote === "'") {
      if (character === "'") quote = undefined;
      else word += character;
      continue;
    }
    if (character === '\\') {
      const next = line[index + 1];
      if (next === undefined) throw new MissionError(MissionErrorCode.parameters, `command line ends with a lone backslash: ${line}`);
      // Inside double quotes a backslash only escapes the characters that are special there.
      if (quote === '"' && !'"\\$`'.includes(next)) word += character;
      word += next;
      index += 1;
      inWord = true;
      continue;
    }
    if (quote === '"') {
      if (character === '"') quote = undefined;
      else word += character;
      continue;
    }
    if (character === '"' || character === "'") {
      quote = character;
      inWord = true;
      continue;
    }
    if (/\s/.test(character)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    word += character;
    inWord = true;
  }
  if (quote) throw new MissionError(MissionErrorCode.parameters, `command line has an unclosed ${quote} quote: ${line}`);
  if (inWord) words.push(word);
  return words;
}
