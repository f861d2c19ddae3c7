/**
 * The safety policy as a {@link CallStage}: `wrapCall` scans the request's messages before `next`
 * (blocking, redacting, warning, logging), optionally asks a moderator once about the input, and
 * pipes the answer through the hold-back scanner (and, optionally, one moderation of the finished
 * answer). Every decision is recorded with `context.record` as a `safety-intervention` with a
 * masked excerpt; all but `log` are also announced in the stream.
 */
import { Observable, type Subscription } from 'rxjs';
import type { LlmEvent } from '../../types.js';
import type { CallContext, CallStage, LayerClock, LayerRequest } from '../stage.js';
import { mergeSafetyConfigs, type SafetyConfig } from './config.js';
import { SafetyBlockedError, SafetyConfigError } from './errors.js';
import { moderatedText, scanMessages } from './input-scan.js';
import { judgeModerator, moderateWithTimeout, openAiModerator, type Moderator } from './moderation.js';
import { guardOutput, type ExcerptedFinding } from './output-guard.js';
import { compileSafetyPolicy, type SafetyPolicy } from './policy.js';
import type { SafetyAction } from './types.js';

/** Options of {@link createSafetyStage}. */
export interface SafetyStageOptions {
  /** A compiled policy, or configuration layers (project, then mission) to merge and compile. */
  policy?: SafetyPolicy;
  config?: SafetyConfig | SafetyConfig[];
  /** Overrides the moderator the configuration describes (tests, custom services). */
  moderator?: Moderator;
  /** For `moderation.mode: judge`: calls the judge model with one prompt. */
  judge?: (prompt: string, signal: AbortSignal) => Promise<string>;
  /** Where `moderation.api_key_env` is looked up (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Timers for the moderation deadline (fake timers in tests). */
  clock?: Pick<LayerClock, 'setTimeout' | 'clearTimeout'>;
}

const defaultModerationTimeoutMs = 5000;

function resolveModerator(policy: SafetyPolicy, options: SafetyStageOptions): Moderator | undefined {
  if (options.moderator) return options.moderator;
  const moderation = policy.moderation;
  if (!moderation) return undefined;
  if (moderation.mode === 'openai') {
    const env = options.env ?? process.env;
    return openAiModerator({ url: moderation.url, model: moderation.model, apiKey: env[moderation.api_key_env ?? 'OPENAI_API_KEY'], categories: moderation.categories });
  }
  if (!options.judge) throw new SafetyConfigError('/moderation/mode', 'judge moderation needs a judge function (createSafetyStage({ judge }))');
  return judgeModerator({ call: options.judge });
}

/** The safety policy as a call stage. */
export function createSafetyStage(options: SafetyStageOptions = {}): CallStage {
  const layers = Array.isArray(options.config) ? options.config : [options.config];
  const policy = options.policy ?? compileSafetyPolicy(mergeSafetyConfigs(...layers));
  const moderator = resolveModerator(policy, options);
  const moderation = policy.moderation;
  const clock = options.clock ?? { setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms), clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout) };
  const moderates = (where: 'input' | 'output'): boolean => moderator !== undefined && (moderation?.where ?? 'both') !== (where === 'input' ? 'output' : 'input');

  /** Records a decision and returns the stream event announcing it (none for `log`). */
  const intervene = (context: CallContext, finding: ExcerptedFinding, where: 'input' | 'output', messageIndex: number): LlmEvent | undefined => {
    context.record({ type: 'safety-intervention', rule: finding.rule, action: finding.action, where, messageIndex, reason: finding.reason, excerpt: finding.excerpt });
    return finding.action === 'log' ? undefined : { type: 'safety-intervention', action: finding.action, rule: finding.rule, where, reason: finding.reason };
  };

  /** One moderation call; resolves to the interventions it caused, rejects to end the call. */
  const moderate = async (context: CallContext, text: string, where: 'input' | 'output', messageIndex: number): Promise<LlmEvent[]> => {
    if (!moderator || text.trim().length === 0) return [];
    const action: SafetyAction = moderation?.action ?? 'block';
    try {
      const verdict = await moderateWithTimeout(moderator, text, where, moderation?.timeout_ms ?? defaultModerationTimeoutMs, clock, context.signal);
      if (!verdict.flagged) return [];
      const finding = { rule: `moderation.${verdict.categories[0] ?? 'flagged'}`, category: 'topic' as const, start: 0, end: 0, action, reason: verdict.reason ?? `${moderator.name} flagged it`, excerpt: '' };
      const event = intervene(context, finding, where, messageIndex);
      if (action === 'block') throw Object.assign(new SafetyBlockedError(finding, where), { announced: event });
      return event ? [event] : [];
    } catch (error) {
      if (error instanceof SafetyBlockedError) throw error;
      const failClosed = (moderation?.on_error ?? 'fail_open') === 'fail_closed';
      const finding = { rule: 'moderation.unavailable', category: 'topic' as const, start: 0, end: 0, action: (failClosed ? 'block' : 'warn') as SafetyAction, reason: `${(error as Error).message} (${failClosed ? 'fail_closed: the call is stopped' : 'fail_open: the call goes on'})`, excerpt: '' };
      const event = intervene(context, finding, where, messageIndex);
      if (failClosed) throw Object.assign(error as object, { announced: event });
      return event ? [event] : [];
    }
  };

  return {
    name: 'safety',
    wrapCall(context, next) {
      if (!policy.enabled) return next(context.request);
      return new Observable<LlmEvent>((subscriber) => {
        let inner: Subscription | undefined;
        let closed = false;
        const start = async (): Promise<void> => {
          const scan = scanMessages(policy, context.request.messages);
          let blocked: ExcerptedFinding | undefined;
          for (const finding of scan.findings) {
            const event = intervene(context, finding, 'input', finding.messageIndex);
            if (event) subscriber.next(event);
            if (finding.action === 'block') blocked ??= finding;
          }
          if (blocked) throw new SafetyBlockedError(blocked, 'input');
          const request: LayerRequest = scan.messages === context.request.messages ? context.request : { ...context.request, messages: scan.messages };
          if (moderates('input')) for (const event of await moderate(context, moderatedText(request.messages), 'input', request.messages.length - 1)) subscriber.next(event);
          if (closed) return;
          const answerIndex = request.messages.length;
          inner = guardOutput(policy, next(request), {
            intervene: (finding) => intervene(context, finding, 'output', answerIndex),
            moderate: moderates('output') ? (answer) => moderate(context, answer, 'output', answerIndex) : undefined,
          }).subscribe(subscriber);
        };
        start().catch((error: unknown) => {
          const announced = (error as { announced?: LlmEvent }).announced;
          if (announced) subscriber.next(announced);
          subscriber.error(error);
        });
        return () => {
          closed = true;
          inner?.unsubscribe();
        };
      });
    },
  };
}
