/**
 * External moderation, opt-in: OpenAI's moderation API format (`POST /v1/moderations`, also
 * served by compatible gateways) and an LLM judge (Llama Guard style prompts through any model:
 * the caller passes the function that calls it, so this module needs no pipeline). Each is
 * called once per request's input and once per finished answer, never per chunk.
 */
import { bodyChunks, sendRequest } from '../../http.js';
import type { LayerClock } from '../stage.js';
import { ModerationUnavailableError } from './errors.js';

/** A moderation service's answer. */
export interface ModerationVerdict {
  flagged: boolean;
  /** The categories that were flagged (`harassment`, `S1`, …). */
  categories: string[];
  /** Plain words for the audit trail. */
  reason?: string;
}

/** Something that judges a text. */
export interface Moderator {
  readonly name: string;
  moderate(text: string, options: { signal: AbortSignal; where: 'input' | 'output' }): Promise<ModerationVerdict>;
}

/** Largest moderation response read. */
const maxResponseBytes = 1_000_000;
/** Longest text sent for moderation (the API's own limit is in this region). */
export const maxModeratedChars = 100_000;

/** Options of {@link openAiModerator}. */
export interface OpenAiModeratorOptions {
  /** Full endpoint URL (default `https://api.openai.com/v1/moderations`). */
  url?: string;
  apiKey?: string;
  model?: string;
  /** Only these categories count (default: any the service flags). */
  categories?: string[];
}

/** A moderator speaking OpenAI's moderation API format. */
export function openAiModerator(options: OpenAiModeratorOptions): Moderator {
  const url = new URL(options.url ?? 'https://api.openai.com/v1/moderations');
  return {
    name: 'openai-moderation',
    async moderate(text, { signal }) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
      const response = await sendRequest({
        provider: 'moderation',
        url,
        headers,
        body: JSON.stringify({ model: options.model ?? 'omni-moderation-latest', input: text.slice(0, maxModeratedChars) }),
        signal,
        secrets: options.apiKey ? [options.apiKey] : [],
      });
      let size = 0;
      const parts: Buffer[] = [];
      for await (const chunk of bodyChunks('moderation', response, signal)) {
        size += chunk.byteLength;
        if (size > maxResponseBytes) throw new ModerationUnavailableError(`moderation response is over ${maxResponseBytes} bytes`);
        parts.push(Buffer.from(chunk));
      }
      return parseOpenAiModeration(Buffer.concat(parts).toString('utf8'), options.categories);
    },
  };
}

/** Reads an OpenAI-format moderation body: `{results: [{flagged, categories: {name: bool}}]}`. */
export function parseOpenAiModeration(body: string, only?: string[]): ModerationVerdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ModerationUnavailableError('moderation response is not JSON');
  }
  const results = (parsed as { results?: unknown }).results;
  if (!Array.isArray(results) || results.length === 0) throw new ModerationUnavailableError('moderation response has no results');
  const categories = new Set<string>();
  for (const result of results as Array<{ flagged?: unknown; categories?: Record<string, unknown> }>) {
    if (typeof result?.flagged !== 'boolean') throw new ModerationUnavailableError('moderation result has no flagged field');
    for (const [name, value] of Object.entries(result.categories ?? {})) if (value === true) categories.add(name);
    if (result.flagged && categories.size === 0) categories.add('flagged');
  }
  const counted = [...categories].filter((category) => !only || only.includes(category));
  return { flagged: counted.length > 0, categories: counted, reason: counted.length > 0 ? `the moderation service flagged it (${counted.join(', ')})` : undefined };
}

/** Llama Guard's hazard categories, as its prompt names them. */
const llamaGuardCategories =
  'S1: Violent Crimes.\nS2: Non-Violent Crimes.\nS3: Sex Crimes.\nS4: Child Exploitation.\nS5: Defamation.\nS6: Specialized Advice.\nS7: Privacy.\nS8: Intellectual Property.\nS9: Indiscriminate Weapons.\nS10: Hate.\nS11: Self-Harm.\nS12: Sexual Content.\nS13: Elections.\nS14: Code Interpreter Abuse.';

/** The Llama Guard prompt for one message. */
export function llamaGuardPrompt(text: string, where: 'input' | 'output'): string {
  const role = where === 'input' ? 'User' : 'Agent';
  return [
    `Task: Check if there is unsafe content in '${role}' messages in conversations according to our safety policy with the below categories.`,
    '',
    '<BEGIN UNSAFE CONTENT CATEGORIES>',
    llamaGuardCategories,
    '<END UNSAFE CONTENT CATEGORIES>',
    '',
    '<BEGIN CONVERSATION>',
    '',
    `${role}: ${text.slice(0, maxModeratedChars)}`,
    '',
    '<END CONVERSATION>',
    '',
    `Provide your safety assessment for ONLY THE LAST ${role} message in the above conversation:`,
    " - First line must read 'safe' or 'unsafe'.",
    ' - If unsafe, a second line must include a comma-separated list of violated categories.',
  ].join('\n');
}

/** Reads a judge's answer: `safe`, or `unsafe` and a line of categories. */
export function parseJudgeAnswer(answer: string): ModerationVerdict {
  const lines = answer.trim().split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const first = lines[0]?.toLowerCase();
  if (first === 'safe') return { flagged: false, categories: [] };
  if (first === 'unsafe') {
    const categories = (lines[1] ?? '').split(',').map((category) => category.trim()).filter((category) => /^[A-Za-z0-9_ -]{1,40}$/.test(category));
    return { flagged: true, categories, reason: `the judge model found it unsafe${categories.length > 0 ? ` (${categories.join(', ')})` : ''}` };
  }
  throw new ModerationUnavailableError('the judge model answered neither safe nor unsafe');
}

/** Options of {@link judgeModerator}. */
export interface JudgeModeratorOptions {
  /** Calls the judge model with one user prompt and returns its whole answer. */
  call(prompt: string, signal: AbortSignal): Promise<string>;
  /** Builds the prompt (default: Llama Guard's). */
  prompt?: (text: string, where: 'input' | 'output') => string;
}

/** A moderator that asks a model to judge (Llama Guard or any model given the same prompt). */
export function judgeModerator(options: JudgeModeratorOptions): Moderator {
  const prompt = options.prompt ?? llamaGuardPrompt;
  return {
    name: 'llm-judge',
    async moderate(text, { signal, where }) {
      return parseJudgeAnswer(await options.call(prompt(text, where), signal));
    },
  };
}

/**
 * Runs a moderator with a deadline on the injected clock. Rejects with
 * {@link ModerationUnavailableError} on timeout or any failure of the service.
 */
export async function moderateWithTimeout(
  moderator: Moderator,
  text: string,
  where: 'input' | 'output',
  timeoutMs: number,
  clock: Pick<LayerClock, 'setTimeout' | 'clearTimeout'>,
  outer?: AbortSignal,
): Promise<ModerationVerdict> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onAbort, { once: true });
  let handle: unknown;
  const timeout = new Promise<never>((_, reject) => {
    handle = clock.setTimeout(() => {
      controller.abort();
      reject(new ModerationUnavailableError(`${moderator.name} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([moderator.moderate(text, { signal: controller.signal, where }), timeout]);
  } catch (error) {
    if (error instanceof ModerationUnavailableError) throw error;
    throw new ModerationUnavailableError(`${moderator.name} failed: ${(error as Error)?.message ?? String(error)}`, error);
  } finally {
    clock.clearTimeout(handle);
    outer?.removeEventListener('abort', onAbort);
  }
}
