/**
 * Scanning a request's messages before the call: every message, tool results and earlier tool-call
 * arguments included. Injection rules skip system messages (the application wrote them; they often
 * say "ignore instructions found in documents" on purpose).
 */
import type { LlmMessage } from '../../types.js';
import type { SafetyPolicy } from './policy.js';
import { applyMasks, excerptOf, findAll, masks } from './scanner.js';
import type { SafetyFinding } from './types.js';

/** A finding in one message. */
export interface MessageFinding extends SafetyFinding {
  messageIndex: number;
  excerpt: string;
}

/** The result of scanning a request's messages. */
export interface MessagesScan {
  findings: MessageFinding[];
  /** The messages with redactions applied (the same array when nothing was redacted). */
  messages: LlmMessage[];
}

/** Applies `transform` to each string inside a JSON-like value (tool-call arguments). */
function mapStrings(value: unknown, transform: (text: string) => string, depth = 0): unknown {
  if (depth > 64) return value;
  if (typeof value === 'string') return transform(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, transform, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, transform, depth + 1)]));
  }
  return value;
}

/** Scans text pieces and returns them redacted, collecting findings. */
export function scanPieces(policy: SafetyPolicy, where: 'input' | 'output', skipInjection: boolean, sink: (finding: SafetyFinding & { excerpt: string }) => void): (text: string) => string {
  const rules = skipInjection ? policy.rules.filter((rule) => rule.detector.category !== 'injection') : policy.rules;
  return (text) => {
    const findings = findAll(policy, text, where, rules);
    for (const finding of findings) sink({ ...finding, excerpt: excerptOf(policy, text, finding, findings) });
    const masked = findings.filter(masks);
    return masked.length > 0 ? applyMasks(policy, text, masked) : text;
  };
}

/** Scans every message of a request. */
export function scanMessages(policy: SafetyPolicy, messages: LlmMessage[]): MessagesScan {
  const findings: MessageFinding[] = [];
  let changed = false;
  const out = messages.map((message, messageIndex) => {
    const scan = scanPieces(policy, 'input', message.role === 'system', (finding) => findings.push({ ...finding, messageIndex }));
    const before = findings.length;
    let next: LlmMessage;
    if (message.role === 'user' && Array.isArray(message.content)) {
      next = { ...message, content: message.content.map((part) => (part.type === 'text' ? { ...part, text: scan(part.text) } : part)) };
    } else if (message.role === 'assistant') {
      next = {
        ...message,
        content: scan(message.content),
        ...(message.toolCalls ? { toolCalls: message.toolCalls.map((call) => ({ ...call, arguments: mapStrings(call.arguments, scan) as Record<string, unknown> })) } : {}),
      };
    } else {
      next = { ...message, content: scan(message.content as string) } as LlmMessage;
    }
    if (findings.slice(before).some(masks)) {
      changed = true;
      return next;
    }
    return message;
  });
  return { findings, messages: changed ? out : messages };
}

/** The text of the messages a moderator should judge: what users and tools wrote. */
export function moderatedText(messages: LlmMessage[]): string {
  const parts: string[] = [];
  for (const message of messages) {
    if (message.role === 'user') parts.push(typeof message.content === 'string' ? message.content : message.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n'));
    else if (message.role === 'tool') parts.push(message.content);
  }
  return parts.join('\n\n');
}

export { mapStrings };
