/**
 * Reading response bodies, bounded: whole JSON bodies up to a size limit, error bodies only in
 * part, and streamed bodies chunk by chunk with transport faults typed.
 */
import { finished as finishedStream } from 'node:stream';
import { LlmError, LlmErrorCode } from './errors.js';
import { boundedText, defaultStreamLimits, responseTooLarge, type StreamLimits } from './stream-limits.js';
import { transportError, type HttpResponse } from './http.js';

/**
 * Reads at most `maxBytes` of a body as UTF-8. When there is more, the rest is not downloaded:
 * the body is destroyed, which closes the connection, and `truncated` is true.
 */
export async function readBounded(body: HttpResponse['body'], maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    const bytes = chunk as Buffer;
    if (length + bytes.length > maxBytes) {
      chunks.push(bytes.subarray(0, maxBytes - length));
      length = maxBytes;
      body.destroy();
      return { text: Buffer.concat(chunks, length).toString('utf8'), truncated: true };
    }
    chunks.push(bytes);
    length += bytes.length;
  }
  return { text: Buffer.concat(chunks, length).toString('utf8'), truncated: false };
}

/**
 * Reads a whole 2xx body as JSON, failing with a typed error on garbage, and with
 * `LLM_ERR_RESPONSE_TOO_LARGE` past `limits.maxBodyBytes` (default 64 MiB).
 */
export async function readJson(provider: string, response: HttpResponse, signal?: AbortSignal, limits?: StreamLimits): Promise<unknown> {
  const maxBytes = limits?.maxBodyBytes ?? defaultStreamLimits.maxBodyBytes;
  let text: string;
  try {
    const read = await readBounded(response.body, maxBytes);
    if (read.truncated) throw responseTooLarge(provider, 'a response body', maxBytes, 'bytes');
    text = read.text;
  } catch (error) {
    throw transportError(provider, error, signal);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new LlmError(LlmErrorCode.malformedResponse, `${provider} returned a body that is not JSON: ${boundedText(text.replace(/\s+/g, ' ').trim(), 200)}`, {
      provider,
      cause: error,
    });
  }
}

/**
 * Iterates a 2xx body's chunks; a connection that drops or stalls mid-body becomes a retryable
 * {@link LlmError} (`LLM_ERR_STREAM_INTERRUPTED` or `LLM_ERR_TIMEOUT`).
 *
 * The body is read with `read()` while paused rather than through its async iterator: that
 * iterator's generator frame keeps the chunk it last yielded alive until it is asked for the
 * next one, so a consumer that waits between chunks (a slow pull-form consumer) would pin one
 * chunk (up to the body's 64 KiB high-water mark) per stream on top of the body's own buffer.
 * Here nothing is held between calls; undici's buffer, and then TCP, do the waiting.
 */
export function bodyChunks(provider: string, response: HttpResponse, signal?: AbortSignal): AsyncIterableIterator<Uint8Array> {
  const body = response.body;
  let started = false;
  let finished = false;
  /** undefined while the body may still produce; null once it ended cleanly; else its failure. */
  let outcome: Error | null | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const start = (): void => {
    started = true;
    body.on('readable', notify);
    // As the async iterator does: `finished` reports an error, or a close before the end.
    finishedStream(body, { writable: false }, (error) => {
      outcome ??= error ?? null;
      notify();
    });
  };
  const changed = (): Promise<void> =>
    new Promise<void>((resolve) => {
      wake = resolve;
    });
  const fail = (error: unknown): never => {
    finished = true;
    body.off('readable', notify);
    throw transportError(provider, error, signal, true);
  };
  const iterator: AsyncIterableIterator<Uint8Array> = {
    [Symbol.asyncIterator]() {
      return iterator;
    },
    async next(): Promise<IteratorResult<Uint8Array>> {
      if (finished) return { done: true, value: undefined };
      if (!started) start();
      for (;;) {
        const chunk = body.destroyed ? null : (body.read() as Uint8Array | null);
        if (chunk !== null) return { done: false, value: chunk };
        if (outcome === null) {
          finished = true;
          body.off('readable', notify);
          return { done: true, value: undefined };
        }
        if (outcome !== undefined) return fail(outcome);
        await changed();
      }
    },
    // The consumer stopped early (an SSE sentinel, an error, an unsubscribe).
    async return(): Promise<IteratorResult<Uint8Array>> {
      if (!finished) {
        finished = true;
        await stopReading(body, started ? () => (outcome === undefined ? changed() : undefined) : undefined);
        body.off('readable', notify);
      }
      return { done: true, value: undefined };
    },
  };
  return iterator;
}

/**
 * Stops reading a body. One that has fully arrived is read to its end, which finishes it
 * quietly; destroying it in the middle would abort it with an AbortError (and build that error's
 * stack trace) on every call that stops at a sentinel such as `[DONE]`. A body still arriving is
 * destroyed, which aborts the request.
 */
async function stopReading(body: HttpResponse['body'], waitForChange: (() => Promise<void> | undefined) | undefined): Promise<void> {
  const state = (body as unknown as { _readableState?: { ended?: boolean } })._readableState;
  if (waitForChange && state?.ended === true && !body.destroyed) {
    // Everything was pushed: what is left is buffered. Reading it out lets the body end.
    while (body.read() !== null);
    for (let rounds = 0; rounds < 3 && !body.readableEnded && !body.destroyed; rounds++) {
      const pending = waitForChange();
      if (!pending) break;
      await pending;
      while (body.read() !== null);
    }
    if (body.readableEnded || body.destroyed) return;
  }
  if (!body.destroyed) body.destroy();
}
