/**
 * Prompt-injection and jailbreak detectors (`injection.*`). They read input only: a user message
 * or a tool result that tries to take over the model. Phrase rules cover several languages
 * (English, Spanish, French, German, Italian, Portuguese, Dutch, Russian, Chinese, Japanese,
 * Korean); encoded payloads are decoded (base64, hex, leetspeak) and read again; many-shot
 * attacks are recognised by the count of scripted dialogue turns.
 */
import type { Detector } from '../types.js';
import { regexDetector } from './regex-detector.js';
import { decodedPayloadSignal, instructionOverride, payloadSplitting, promptExfiltration, rolePlay } from './injection-phrases.js';

function phraseDetector(id: string, reason: string, phrases: string[]): Detector {
  return regexDetector({
    id,
    category: 'injection',
    reason,
    // No `u` flag: with it V8 runs these case-insensitive alternations 30 to 100 times slower, and
    // the phrases need nothing it adds (every literal is in the Basic Multilingual Plane).
    pattern: new RegExp(phrases.map((phrase) => `(?:${phrase})`).join('|'), 'gi'),
    maxLength: 400,
    direction: 'input',
  });
}

const leetMap: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i', '|': 'l' };

/** Leetspeak undone one character for one, so offsets into the original still hold. */
export function unleet(text: string): string {
  let out = '';
  for (const character of text) out += leetMap[character] ?? character;
  return out;
}

const wordCharacter = /[\w@$!|]/;

/**
 * Starts of leet words (3 to 15 characters mixing letters with 0 1 3 4 5 7 @ $ ! |, at least two
 * letters outside a-f so hex ids and timestamps do not count), found from the letter-digit seams
 * rather than by reading every word.
 */
function leetWordStarts(text: string): number[] {
  const starts: number[] = [];
  let lastEnd = -1;
  for (const seam of text.matchAll(/[a-z][013457@$!|]|[013457@$!|][a-z]/gi)) {
    if (seam.index < lastEnd) continue;
    let start = seam.index;
    let end = seam.index + 2;
    while (start > 0 && wordCharacter.test(text[start - 1]!)) start--;
    while (end < text.length && wordCharacter.test(text[end]!)) end++;
    lastEnd = end;
    const word = text.slice(start, end);
    if (word.length < 3 || word.length > 15) continue;
    if ((word.match(/[g-z]/gi)?.length ?? 0) < 2 || isEmailPart(text, word, end)) continue;
    starts.push(start);
  }
  return starts;
}

/** Whether decoded bytes read as text (hashes and binary decode to noise, not worth reading). */
function readable(decoded: string): boolean {
  let printable = 0;
  for (let index = 0; index < decoded.length; index++) {
    const code = decoded.charCodeAt(index);
    if ((code >= 32 && code < 127) || code === 10 || (code > 160 && code !== 0xfffd)) printable++;
  }
  return decoded.length > 0 && printable / decoded.length >= 0.9;
}

/** `name@example` of `name@example.org`: an address, not leetspeak. */
function isEmailPart(text: string, word: string, end: number): boolean {
  return word.includes('@') && text[end] === '.';
}

const encodedPayload: Detector = {
  id: 'injection.encoded_payload',
  category: 'injection',
  reason: 'an instruction to the model hidden in an encoding (base64, hex or leetspeak)',
  maxLength: 4096,
  direction: 'input',
  find(text) {
    const spans: Array<{ start: number; end: number }> = [];
    for (const match of text.matchAll(/(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{24,4000}={0,2}(?![A-Za-z0-9+/=])/g)) {
      const decoded = Buffer.from(match[0], 'base64').toString('utf8');
      if (readable(decoded) && decodedPayloadSignal.test(decoded)) spans.push({ start: match.index, end: match.index + match[0].length });
    }
    for (const match of text.matchAll(/(?<![0-9a-fA-F])(?:[0-9a-fA-F]{2}[ ]?){16,2000}(?![0-9a-fA-F])/g)) {
      const decoded = Buffer.from(match[0].replace(/ /g, ''), 'hex').toString('utf8');
      if (readable(decoded) && decodedPayloadSignal.test(decoded)) spans.push({ start: match.index, end: match.index + match[0].length });
    }
    // Leetspeak: where two leet words (letters mixed with 0 1 3 4 5 7 @ $, at least two letters
    // outside a-f so hex ids and timestamps do not count) sit within 200 characters, that stretch
    // is rewritten one character for one (offsets hold) and read again.
    const leetWords = leetWordStarts(text);
    let windowEnd = -1;
    for (let index = 0; index + 1 < leetWords.length; index++) {
      const start = leetWords[index]!;
      if (start < windowEnd || leetWords[index + 1]! - start > 200) continue;
      const from = Math.max(0, start - 100);
      windowEnd = Math.min(text.length, leetWords[index + 1]! + 300);
      const window = text.slice(from, windowEnd);
      const plain = unleet(window);
      for (const match of plain.matchAll(new RegExp(decodedPayloadSignal.source, 'gi'))) {
        if (window.slice(match.index, match.index + match[0].length) !== match[0]) spans.push({ start: from + match.index, end: from + match.index + match[0].length });
      }
    }
    return spans.sort((left, right) => left.start - right.start);
  },
};

const turnMarker = /^[ \t]*(?:user|human|assistant|ai|bot|q|a|question|answer|model|system)\s*:/gim;
const manyShot: Detector = {
  id: 'injection.many_shot',
  category: 'injection',
  reason: 'a long scripted dialogue (many-shot jailbreak): the message fakes many turns of the model complying',
  maxLength: Number.MAX_SAFE_INTEGER,
  direction: 'input',
  find(text) {
    if (text.length < 200) return [];
    const markers = [...text.matchAll(turnMarker)];
    // Eight question-answer pairs in one message is a script, not a question.
    if (markers.length < 16) return [];
    const first = markers[0]!;
    const last = markers[markers.length - 1]!;
    return [{ start: first.index, end: last.index + last[0].length }];
  },
};

/** Every injection detector. */
export function injectionDetectors(): Detector[] {
  return [
    phraseDetector('injection.instruction_override', 'an attempt to override the instructions the model was given', instructionOverride),
    phraseDetector('injection.prompt_exfiltration', 'an attempt to make the model reveal its system prompt or hidden instructions', promptExfiltration),
    phraseDetector('injection.role_play', 'a role-play or "developer mode" jailbreak that claims to lift the model\'s rules', rolePlay),
    phraseDetector('injection.payload_splitting', 'an instruction split into pieces the model is asked to join and follow', payloadSplitting),
    encodedPayload,
    manyShot,
  ];
}
