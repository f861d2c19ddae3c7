/**
 * The output side of the safety stage: every text-bearing event of an answer (text, reasoning,
 * tool-call arguments) flows through a hold-back {@link StreamScanner}; complete tool calls are
 * scanned whole; at the end the answer may be judged once by a moderator before `finish` is let
 * through.
 */
import { Observable } from 'rxjs';
import type { LlmEvent } from '../../types.js';
import { SafetyBlockedError } from './errors.js';
import { mapStrings, scanPieces } from './input-scan.js';
import type { SafetyPolicy } from './policy.js';
import { StreamScanner, type StreamScanStep } from './stream-scanner.js';
import type { SafetyFinding } from './types.js';

/** A finding with its audit excerpt. */
export type ExcerptedFinding = SafetyFinding & { excerpt: string };

/** What the output guard needs from the stage. */
export interface OutputGuardHooks {
  /** Records (and, unless `log`, announces) an intervention; returns the event to emit, if any. */
  intervene(finding: ExcerptedFinding): LlmEvent | undefined;
  /** Judges the finished answer; resolves to events to emit, rejects to end the call. */
  moderate?(answer: string): Promise<LlmEvent[]>;
}

/** Longest answer text kept for the final moderation call. */
const maxModeratedAnswer = 100_000;

/** Wraps an answer's event stream with the output scanners. */
export function guardOutput(policy: SafetyPolicy, source: Observable<LlmEvent>, hooks: OutputGuardHooks): Observable<LlmEvent> {
  return new Observable<LlmEvent>((subscriber) => {
    const text = new StreamScanner(policy);
    const reasoning = new StreamScanner(policy);
    const toolArguments = new Map<number, StreamScanner>();
    let answer = '';
    /** Set while the final moderation call runs: what arrives meanwhile, in order. */
    let waiting: Array<{ event: LlmEvent } | { error: unknown } | { complete: true }> | undefined;
    let stopped = false;

    const fail = (error: unknown): void => {
      stopped = true;
      subscriber.error(error);
    };
    /** Emits a step's interventions and text; false when it blocked (the call is over). */
    const apply = (step: StreamScanStep, emit: (released: string) => void): boolean => {
      for (const finding of step.findings) {
        const event = hooks.intervene(finding);
        if (event) subscriber.next(event);
      }
      if (step.blocked) {
        const event = hooks.intervene(step.blocked);
        if (event) subscriber.next(event);
        fail(new SafetyBlockedError(step.blocked, 'output'));
        return false;
      }
      if (step.text.length > 0) emit(step.text);
      return true;
    };
    const emitText = (released: string): void => {
      if (answer.length < maxModeratedAnswer) answer += released.slice(0, maxModeratedAnswer - answer.length);
      subscriber.next({ type: 'text-delta', text: released });
    };
    const flushAll = (): boolean => {
      if (!apply(text.flush(), emitText)) return false;
      if (!apply(reasoning.flush(), (released) => subscriber.next({ type: 'reasoning-delta', text: released }))) return false;
      for (const [index, scanner] of toolArguments) {
        if (!apply(scanner.flush(), (released) => subscriber.next({ type: 'tool-call-delta', index, argumentsDelta: released }))) return false;
      }
      toolArguments.clear();
      return true;
    };

    const handle = (event: LlmEvent): void => {
      if (stopped) return;
      switch (event.type) {
        case 'text-delta':
          apply(text.push(event.text), emitText);
          return;
        case 'reasoning-delta':
          apply(reasoning.push(event.text), (released) => subscriber.next({ type: 'reasoning-delta', text: released }));
          return;
        case 'tool-call-delta': {
          let scanner = toolArguments.get(event.index);
          if (!scanner) toolArguments.set(event.index, (scanner = new StreamScanner(policy)));
          const step = scanner.push(event.argumentsDelta);
          const announces = event.id !== undefined || event.name !== undefined;
          apply(step, (released) => subscriber.next({ ...event, argumentsDelta: released }));
          if (!stopped && announces && step.text.length === 0) subscriber.next({ ...event, argumentsDelta: '' });
          return;
        }
        case 'tool-call': {
          let blocked: ExcerptedFinding | undefined;
          const scan = scanPieces(policy, 'output', true, (finding) => {
            if (finding.action === 'block') blocked ??= finding;
            else {
              const announced = hooks.intervene(finding);
              if (announced) subscriber.next(announced);
            }
          });
          const argumentsRedacted = mapStrings(event.call.arguments, scan) as Record<string, unknown>;
          if (blocked) {
            const announced = hooks.intervene(blocked);
            if (announced) subscriber.next(announced);
            fail(new SafetyBlockedError(blocked, 'output'));
            return;
          }
          subscriber.next({ ...event, call: { ...event.call, arguments: argumentsRedacted } });
          return;
        }
        case 'finish': {
          if (!flushAll()) return;
          if (!hooks.moderate) {
            subscriber.next(event);
            return;
          }
          // Events after `finish` (usage) wait for the verdict, so their order is kept.
          waiting = [];
          hooks.moderate(answer).then(
            (events) => {
              if (stopped) return;
              for (const announced of events) subscriber.next(announced);
              subscriber.next(event);
              const queued = waiting ?? [];
              waiting = undefined;
              for (const next of queued) {
                if ('event' in next) handle(next.event);
                else if ('error' in next) fail(next.error);
                else if (!stopped) subscriber.complete();
              }
            },
            (error: unknown) => {
              const announced = (error as { announced?: LlmEvent }).announced;
              if (announced && !stopped) subscriber.next(announced);
              fail(error);
            },
          );
          return;
        }
        default:
          subscriber.next(event);
      }
    };

    const subscription = source.subscribe({
      next(event) {
        if (waiting) waiting.push({ event });
        else handle(event);
      },
      error(error) {
        if (waiting) return void waiting.push({ error });
        if (stopped) return;
        // What was held back has been scanned by the time it is released: give it, then fail.
        if (flushAll()) fail(error);
      },
      complete() {
        if (waiting) return void waiting.push({ complete: true });
        if (stopped) return;
        if (flushAll()) subscriber.complete();
      },
    });
    return () => {
      stopped = true;
      subscription.unsubscribe();
    };
  });
}
