/**
 * Reading response bodies, bounded: whole JSON bodies up to a size limit, error bodies only in
 * part, and streamed bodies chunk by chunk with transport faults typed.
 */
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
 */
export function bodyChunks(provider: string, response: HttpResponse, signal?: AbortSignal): AsyncIterableIterator<Uint8Array> {
  // A plain iterator rather than an async generator: one promise hop less per network chunk.
  const body = response.body;
  const chunks = body[Symbol.asyncIterator]();
  let finished = false;
  const settle = (result: IteratorResult<unknown>): IteratorResult<Uint8Array> => {
    if (result.done) finished = true;
    return result as IteratorResult<Uint8Array>;
  };
  const fail = (error: unknown): never => {
    finished = true;
    throw transportError(provider, error, signal, true);
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () => chunks.next().then(settle, fail),
    // The consumer stopped early (an SSE sentinel, an error, an unsubscribe).
    async return(): Promise<IteratorResult<Uint8Array>> {
      if (!finished) {
        finished = true;
        await stopReading(body, chunks);
      }
      return { done: true, value: undefined };
    },
  };
}

/**
 * Stops reading a body. One that has fully arrived is read to its end, which finishes it
 * quietly; returning from the middle of its iterator would destroy it with an AbortError (and
 * build that error's stack trace) on every call that stops at a sentinel such as `[DONE]`. A body
 * still arriving is destroyed, which aborts the request.
 */
async function stopReading(body: HttpResponse['body'], chunks: AsyncIterator<unknown>): Promise<void> {
  const state = (body as unknown as { _readableState?: { ended?: boolean } })._readableState;
  if (state?.ended === true && !body.destroyed) {
    try {
      while (!(await chunks.next()).done);
      return;
    } catch {
      // Whatever failed, the fallback below releases the body.
    }
  }
  await chunks.return?.();
}
