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
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const bytes of body) {
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
 * Network chunks as they arrive, plus what has already arrived without waiting: a reader that
 * parses chunks synchronously takes everything queued in one go ({@link readQueued}) rather than
 * paying an await per HTTP chunk (a server flushing per token sends dozens in one network read).
 */
export interface ChunkSource extends AsyncIterableIterator<Uint8Array> {
  /** The next chunk that already arrived, or null when none has (then await `next()`). */
  readQueued(): Uint8Array | null;
  /**
   * Stops reading once the answer is complete: the body's last bytes may still arrive and are
   * dropped, so the connection is reused (`return()` would abort it).
   */
  release(): void;
}

/**
 * Iterates a 2xx body's chunks; a connection that drops or stalls mid-body becomes a retryable
 * {@link LlmError} (`LLM_ERR_STREAM_INTERRUPTED` or `LLM_ERR_TIMEOUT`). `return()` stops reading:
 * a body that has not fully arrived is aborted, which closes its connection.
 *
 * Nothing is held between calls: the chunk handed out is the caller's, and what has not been
 * asked for waits in the body's small queue, then in the socket, then in TCP.
 */
export function bodyChunks(provider: string, response: HttpResponse, signal?: AbortSignal): ChunkSource {
  // The body is its own iterator (one async layer per chunk, not two); only its failures change.
  return response.body.mapFailures((error) => transportError(provider, error, signal, true));
}
