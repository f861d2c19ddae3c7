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
    pattern: new RegExp(phrases.map((phrase) => `(?:${phrase})`).join('|'), 'giu'),
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
      if (decodedPayloadSignal.test(decoded)) spans.push({ start: match.index, end: match.index + match[0].length });
    }
    for (const match of text.matchAll(/(?<![0-9a-fA-F])(?:[0-9a-fA-F]{2}[ ]?){16,2000}(?![0-9a-fA-F])/g)) {
      const decoded = Buffer.from(match[0].replace(/ /g, ''), 'hex').toString('utf8');
      if (decodedPayloadSignal.test(decoded)) spans.push({ start: match.index, end: match.index + match[0].length });
    }
    // Leetspeak: only words that mix letters with digits or symbols are rewritten, so plain text
    // already caught by the phrase rules is not reported twice.
    if (/[a-z][0-9@$|!][a-z]|[0-9@$][a-z]{2}/i.test(text)) {
      const plain = unleet(text);
      const pattern = new RegExp(decodedPayloadSignal.source, 'gi');
      for (const match of plain.matchAll(pattern)) {
        const original = text.slice(match.index, match.index + match[0].length);
        if (original !== match[0]) spans.push({ start: match.index, end: match.index + match[0].length });
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
