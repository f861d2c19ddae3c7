/**
 * Responses read straight off undici's dispatcher. `request()` puts a Readable between the socket
 * and the reader (its own 64 KiB buffer, end-of-stream tracking, an async iterator); here one
 * small handler per request hands the reader each network chunk as it comes, and flow control is
 * undici's own: once {@link bodyHighWaterMark} bytes wait unread the connection is paused (its
 * parser stops reading the socket, so TCP slows the server), and the reader's next pull resumes it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';

/** Bytes a body holds unread before it pauses its connection (one network read may overshoot it). */
export const bodyHighWaterMark = 16 * 1024;

/** A response whose head arrived; its body is still being read. */
export interface DispatchedResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: ResponseBody;
}

const empty = new Uint8Array(0);

/** What a released body may still take in, and for how long, before its request is aborted. */
export const maxDrainBytes = 64 * 1024;
export const maxDrainMs = 1000;

/**
 * The reason a body that is no longer wanted aborts its request with. Nobody reads it (the reader
 * left), so one instance serves every call rather than a stack trace built per call.
 */
const readerLeft = Object.assign(new Error('the response body was no longer read'), { name: 'AbortError' });

/**
 * A response body as an async iterator of network chunks. `return()` (a `break` out of `for
 * await`) or {@link destroy} aborts the request unless every byte already arrived, in which case
 * the connection is already back in its pool.
 */
export class ResponseBody implements AsyncIterableIterator<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private head = 0;
  private queuedBytes = 0;
  private controller: Dispatcher.DispatchController | undefined;
  /** Every byte arrived. */
  private ended = false;
  private failure: Error | undefined;
  private mapFailure: ((error: Error) => Error) | undefined;
  /** The reader stopped: what still arrives is dropped. */
  private closed = false;
  private wake: (() => void) | undefined;
  /** Set while a released body's last bytes are let in (see {@link release}). */
  private drainTimer: ReturnType<typeof setTimeout> | undefined;
  private drainBudget = 0;

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this;
  }

  /** True once the whole body arrived. */
  get complete(): boolean {
    return this.ended;
  }

  /**
   * The next queued network chunk, or null when none is (the body may still be arriving: see
   * {@link next}). Taking the last one resumes a paused connection.
   */
  readQueued(): Uint8Array | null {
    if (this.head === this.chunks.length) return null;
    const chunk = this.chunks[this.head];
    // Not kept by the queue once taken: the reader decides how long a chunk lives.
    this.chunks[this.head++] = empty;
    this.queuedBytes -= chunk.byteLength;
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
      // Resumed only now, outside undici's parser (it may not be resumed from inside its own
      // callback); what it then reads may be pushed here before this returns.
      if (this.controller?.paused && !this.ended) this.controller.resume();
    }
    return chunk;
  }

  /** Makes {@link next} throw `map(failure)` rather than undici's own error. */
  mapFailures(map: (error: Error) => Error): this {
    this.mapFailure = map;
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    for (;;) {
      const chunk = this.readQueued();
      if (chunk !== null) return { done: false, value: chunk };
      if (this.failure) throw this.mapFailure ? this.mapFailure(this.failure) : this.failure;
      if (this.ended || this.closed) return { done: true, value: undefined };
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    this.destroy();
    return { done: true, value: undefined };
  }

  /**
   * Stops reading a body whose answer is complete (a stream's terminator was seen) but whose last
   * bytes (typically the chunked encoding's final `0` chunk) may still be on their way: they are
   * let in and dropped, so that the connection goes back to its pool, unless more than
   * {@link maxDrainBytes} arrive or the end takes longer than {@link maxDrainMs}; then the request
   * is aborted. Aborting at once, as {@link destroy} does, would cost a new connection (a TLS
   * handshake) on the next call.
   */
  release(): void {
    if (this.closed) return;
    if (this.ended || this.failure) {
      this.destroy();
      return;
    }
    this.closed = true;
    this.dropQueued();
    this.drainBudget = maxDrainBytes;
    this.drainTimer = setTimeout(() => this.controller?.abort(readerLeft), maxDrainMs);
    this.drainTimer.unref();
    if (this.controller?.paused) this.controller.resume();
    this.notify();
  }

  /** Stops reading: queued chunks are dropped and, unless the body already arrived, the request is aborted. */
  destroy(error?: Error): void {
    const draining = this.drainTimer !== undefined;
    this.stopDraining();
    if (this.closed && !draining) return;
    this.closed = true;
    this.dropQueued();
    if (!this.ended && !this.failure) this.controller?.abort(error ?? readerLeft);
    this.notify();
  }

  /** @internal The handler's side: the request reached a connection. */
  attach(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
  }

  /** @internal A network chunk arrived. */
  push(chunk: Uint8Array): void {
    if (this.closed) {
      if (this.drainTimer !== undefined) {
        this.drainBudget -= chunk.byteLength;
        if (this.drainBudget < 0) {
          this.stopDraining();
          // Not aborted from inside undici's parser (this runs in its callback): paused now, so it
          // hands over nothing more, and aborted once it has returned.
          const controller = this.controller;
          controller?.pause();
          queueMicrotask(() => controller?.abort(readerLeft));
        }
      }
      return;
    }
    this.chunks.push(chunk);
    this.queuedBytes += chunk.byteLength;
    if (this.queuedBytes >= bodyHighWaterMark) this.controller?.pause();
    this.notify();
  }

  /** @internal The last byte arrived. */
  finish(): void {
    this.ended = true;
    this.stopDraining();
    this.notify();
  }

  /** @internal The request failed mid-body (a dropped connection, a timeout, an abort). */
  fail(error: Error): void {
    this.stopDraining();
    if (this.ended) return;
    this.failure ??= error;
    this.notify();
  }

  private dropQueued(): void {
    this.chunks.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
  }

  private stopDraining(): void {
    if (this.drainTimer === undefined) return;
    clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
  }

  private notify(): void {
    const resolve = this.wake;
    this.wake = undefined;
    resolve?.();
  }
}

/**
 * Dispatches one request on `dispatcher` and resolves once its response head arrives (1xx
 * informational heads are skipped). `signal` aborts it at any point: still queued, waiting for
 * the head (the promise rejects at once with the signal's reason), or mid-body (the body fails).
 */
export function dispatchRequest(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, signal?: AbortSignal): Promise<DispatchedResponse> {
  return new Promise<DispatchedResponse>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const handler = new ResponseHandler(signal, resolve, reject);
    signal?.addEventListener('abort', handler, { once: true });
    try {
      dispatcher.dispatch(options, handler);
    } catch (error) {
      handler.detach();
      reject(error);
    }
  });
}

function abortReason(signal: AbortSignal | undefined): Error {
  return signal?.reason instanceof Error ? signal.reason : Object.assign(new Error('the request was aborted'), { name: 'AbortError' });
}

/**
 * One request's handler: it settles the response promise at the head and feeds the body. It is
 * also the signal's abort listener (`handleEvent`), so a request costs one object, not a closure
 * per callback.
 */
class ResponseHandler implements Dispatcher.DispatchHandler {
  private readonly body = new ResponseBody();
  private controller: Dispatcher.DispatchController | undefined;
  private responded = false;
  private settled = false;

  constructor(
    private readonly signal: AbortSignal | undefined,
    private readonly resolve: (response: DispatchedResponse) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  /** The signal fired: abort wherever the request is (queued, waiting for its head, mid-body). */
  handleEvent(): void {
    const reason = abortReason(this.signal);
    this.controller?.abort(reason);
    if (!this.responded) this.fail(reason);
    else this.body.fail(reason);
  }

  detach(): void {
    this.signal?.removeEventListener('abort', this);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    this.body.attach(controller);
    if (this.signal?.aborted) controller.abort(abortReason(this.signal));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // 1xx informational heads come before the real one.
    if (statusCode < 200 || this.settled) return;
    this.responded = true;
    this.settled = true;
    this.resolve({ statusCode, headers, body: this.body });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Uint8Array): void {
    this.body.push(chunk);
  }

  onResponseEnd(): void {
    this.detach();
    this.body.finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.detach();
    if (this.responded) this.body.fail(error);
    else this.fail(error);
  }

  private fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }
}
