/**
 * Scans streamed text as it flows. It holds back the last `policy.holdBack` characters — the
 * longest match any output rule can make — so a secret or card number split across chunks is
 * seen whole before any of it is released. A `redact` match is rewritten in the stream; a `block`
 * match stops it. A secret that can run on past the window (a JWT, a private key's body) is
 * masked as it keeps coming, up to its end.
 */
import type { CompiledRule, SafetyPolicy } from './policy.js';
import { applyMasks, excerptOf, findAll, masks, maskFor } from './scanner.js';
import type { SafetyFinding } from './types.js';

/** What one push or the final flush yields. */
export interface StreamScanStep {
  /** Text safe to release now (possibly with masks in it). */
  text: string;
  /** Findings decided in this step, each once, with offsets into the whole stream. */
  findings: Array<SafetyFinding & { excerpt: string }>;
  /** Set when a `block` rule matched: nothing more may be released. */
  blocked?: SafetyFinding & { excerpt: string };
}

type Continuing =
  | { kind: 'while'; chars: RegExp }
  | { kind: 'until'; end: RegExp; endMaxLength: number; remaining: number; tail: string };

/** A scanner for one stream of text (one answer, or one tool call's arguments). */
export class StreamScanner {
  private pending = '';
  /** Offset of `pending[0]` in the whole stream. */
  private offset = 0;
  private readonly reported = new Set<string>();
  private continuing: Continuing | undefined;
  private blocked = false;
  private readonly rules: CompiledRule[];

  constructor(private readonly policy: SafetyPolicy) {
    this.rules = policy.rules.filter((rule) => rule.where !== 'input');
  }

  /** Characters currently held back. */
  get heldChars(): number {
    return this.pending.length;
  }

  /** Feeds a chunk; returns what may be released now. */
  push(chunk: string): StreamScanStep {
    if (this.blocked) return { text: '', findings: [] };
    if (!this.policy.enabled || this.rules.length === 0) return { text: chunk, findings: [] };
    const rest = this.consumeContinuation(chunk);
    if (rest === undefined) return { text: '', findings: [] };
    this.pending += rest;
    return this.scan(false);
  }

  /** The stream ended: everything held back is decided and released. */
  flush(): StreamScanStep {
    if (this.blocked) return { text: '', findings: [] };
    this.continuing = undefined;
    if (!this.policy.enabled || this.rules.length === 0) return { text: '', findings: [] };
    return this.scan(true);
  }

  /** Drops the part of a chunk that continues a masked secret; undefined when all of it does. */
  private consumeContinuation(chunk: string): string | undefined {
    const continuing = this.continuing;
    if (!continuing) return chunk;
    if (continuing.kind === 'while') {
      let index = 0;
      while (index < chunk.length && continuing.chars.test(chunk[index]!)) index++;
      this.offset += index;
      if (index === chunk.length) return undefined;
      this.continuing = undefined;
      return chunk.slice(index);
    }
    const window = continuing.tail + chunk;
    const found = continuing.end.exec(window);
    if (found) {
      const endInChunk = found.index + found[0].length - continuing.tail.length;
      this.offset += endInChunk;
      this.continuing = undefined;
      return chunk.slice(endInChunk);
    }
    continuing.remaining -= chunk.length;
    this.offset += chunk.length;
    if (continuing.remaining <= 0) this.continuing = undefined;
    else continuing.tail = window.slice(-continuing.endMaxLength);
    return undefined;
  }

  private scan(final: boolean): StreamScanStep {
    const text = this.pending;
    const all = findAll(this.policy, text, 'output', this.rules);
    const decided: Array<SafetyFinding & { excerpt: string }> = [];
    const describe = (finding: SafetyFinding): SafetyFinding & { excerpt: string } => ({
      ...finding,
      start: finding.start + this.offset,
      end: finding.end + this.offset,
      excerpt: excerptOf(this.policy, text, finding, all),
    });
    const report = (finding: SafetyFinding): void => {
      const key = `${finding.rule}@${finding.start + this.offset}`;
      if (this.reported.has(key)) return;
      this.reported.add(key);
      decided.push(describe(finding));
    };

    const block = all.find((finding) => finding.action === 'block');
    if (block) {
      this.blocked = true;
      this.pending = '';
      return { text: '', findings: decided, blocked: describe(block) };
    }

    // A match that reaches the end of what we have may still grow: it is open until more text
    // (or the end of the stream) shows where it stops.
    const isOpen = (finding: SafetyFinding): boolean => !final && finding.end >= text.length;
    let cut = final ? text.length : Math.max(0, text.length - this.policy.holdBack);
    let continueFrom: SafetyFinding | undefined;
    for (const finding of all) {
      if (!masks(finding)) continue;
      const continuation = this.rules.find((rule) => rule.detector.id === finding.rule)?.detector.continuation;
      const unfinished = continuation?.kind === 'until' ? !continuation.end.test(text.slice(finding.start, finding.end)) : isOpen(finding);
      if (continuation && unfinished && !final) {
        // Mask it now and keep masking what follows, however long it runs.
        continueFrom = finding;
        cut = finding.end;
        this.continuing =
          continuation.kind === 'while'
            ? { kind: 'while', chars: continuation.chars }
            : { kind: 'until', end: continuation.end, endMaxLength: continuation.endMaxLength, remaining: continuation.maxLength, tail: '' };
        break;
      }
      if (isOpen(finding)) cut = Math.min(cut, finding.start);
      else if (finding.start < cut && finding.end > cut) cut = finding.end;
    }
    const released = all.filter((finding) => finding.end <= cut || finding === continueFrom || (final && finding.start < cut));
    for (const finding of all) if (!isOpen(finding) || finding === continueFrom) if (finding.start < cut || final) report(finding);
    const masked = released.filter(masks);
    const out = applyMasks(this.policy, text.slice(0, cut), masked.map((finding) => ({ ...finding, end: Math.min(finding.end, cut) })));
    this.pending = continueFrom ? '' : text.slice(cut);
    this.offset += cut;
    if (continueFrom && this.continuing?.kind === 'until') {
      // The rest of what we hold is the key's body: drop it, but keep looking for the footer in it.
      const rest = text.slice(cut);
      this.pending = '';
      const remaining = this.consumeContinuation(rest);
      if (remaining) {
        this.pending = remaining;
        const next = this.scan(final);
        return { text: out + next.text, findings: [...decided, ...next.findings], blocked: next.blocked };
      }
    } else if (continueFrom) {
      const remaining = this.consumeContinuation(text.slice(cut));
      if (remaining) {
        this.pending = remaining;
        const next = this.scan(final);
        return { text: out + next.text, findings: [...decided, ...next.findings], blocked: next.blocked };
      }
    }
    return { text: out, findings: decided };
  }
}

/** The mask text a finding is replaced with (for callers that render decisions). */
export { maskFor };
