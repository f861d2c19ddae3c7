/**
 * Splits a one-string command line (`"chmod +x tool.py"`, as RustChain examples write it) into a
 * program and its arguments — without a shell: quotes group words and backslashes escape, but
 * nothing is expanded, globbed, piped or redirected.
 *
 * The split happens on the mission's text *before* templates are rendered: a `{{ }}` is kept
 * whole inside the word it appears in, so whatever a value contains (spaces, quotes) it stays
 * inside that one argument and cannot add words or close the quotes around it.
 */
import { findClose } from '../expressions/template-scan.js';
import { MissionError, MissionErrorCode } from '../errors.js';

/** Longest command line accepted, in characters. */
export const maxCommandLineLength = 64 * 1024;
/** Most words one command line may split into. */
export const maxCommandWords = 4096;

/** A piece of a word: literal text (quotes and escapes already removed) or a raw `{{ … }}`. */
export interface WordSegment {
  text: string;
  template: boolean;
}

/** Splits `line` into words of segments; `{{ … }}` are kept whole when `templates` is set. */
export function splitCommandWords(line: string, templates: boolean): WordSegment[][] {
  if (line.length > maxCommandLineLength) {
    throw new MissionError(MissionErrorCode.parameters, `command line is longer than ${maxCommandLineLength} characters`);
  }
  const words: WordSegment[][] = [];
  let word: WordSegment[] = [];
  let literal = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  const flushLiteral = (): void => {
    if (literal !== '') word.push({ text: literal, template: false });
    literal = '';
  };
  const endWord = (): void => {
    flushLiteral();
    if (inWord) {
      words.push(word);
      if (words.length > maxCommandWords) throw new MissionError(MissionErrorCode.parameters, `command line has more than ${maxCommandWords} words`);
    }
    word = [];
    inWord = false;
  };
  for (let index = 0; index < line.length; index += 1) {
    const character = line[index];
    if (templates && character === '{' && line[index + 1] === '{') {
      const close = findClose(line, index + 2);
      if (close < 0) throw new MissionError(MissionErrorCode.template, `command line has an unclosed \`{{\`: ${line}`);
      flushLiteral();
      word.push({ text: line.slice(index, close + 2), template: true });
      inWord = true;
      index = close + 1;
      continue;
    }
    if (quote === "'") {
      if (character === "'") quote = undefined;
      else literal += character;
      continue;
    }
    if (character === '\\') {
      const next = line[index + 1];
      if (next === undefined) throw new MissionError(MissionErrorCode.parameters, `command line ends with a lone backslash: ${line}`);
      // Inside double quotes a backslash only escapes the characters that are special there.
      if (quote === '"' && !'"\\$`'.includes(next)) literal += character;
      literal += next;
      index += 1;
      inWord = true;
      continue;
    }
    if (quote === '"') {
      if (character === '"') quote = undefined;
      else literal += character;
      continue;
    }
    if (character === '"' || character === "'") {
      quote = character;
      inWord = true;
      continue;
    }
    if (/\s/.test(character)) {
      endWord();
      continue;
    }
    literal += character;
    inWord = true;
  }
  if (quote) throw new MissionError(MissionErrorCode.parameters, `command line has an unclosed ${quote} quote: ${line}`);
  endWord();
  return words;
}

/** Splits `line` into words, honouring '…', "…" and backslash escapes as POSIX shells do. */
export function splitCommandLine(line: string): string[] {
  return splitCommandWords(line, false).map((segments) => segments.map((segment) => segment.text).join(''));
}
