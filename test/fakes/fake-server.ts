/**
 * The base of every fake provider server: an HTTP server on 127.0.0.1 that records requests and
 * answers from a queue of scripted {@link FakeScenario}s, rendered by a provider-specific
 * {@link FakeRenderer} into that provider's real wire format. Faults (error statuses with
 * Retry-After, dropped connections, stalls, malformed frames, pacing) are applied here, once, for all.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';

/** A tool call a scenario makes the fake model emit. */
export interface FakeToolCall {
  id?: string;
  name: string;
  arguments: Record<string, unknown>;
}

/** What the fake model does for one request. */
export interface FakeScenario {
  text?: string;
  reasoning?: string;
  toolCalls?: FakeToolCall[];
  usage?: { inputTokens: number; outputTokens: number; cachedInputTokens?: number; reasoningTokens?: number };
  /** Provider-neutral finish: `stop` (default; `tool-calls` when tools are called) or `length`. */
  finish?: 'stop' | 'length' | 'tool-calls';
  /**
   * The model the fake says served the call, as the real APIs resolve an alias to a dated id
   * (`claude-3-5-haiku-latest` → `claude-3-5-haiku-20241022`). Default: the requested model.
   */
  servedModel?: string;
  /** Response headers added to a successful answer (rate-limit headers, for instance). */
  headers?: Record<string, string>;
  /** Milliseconds between stream chunks. */
  chunkDelayMs?: number;
  /** Milliseconds before the response headers. */
  latencyMs?: number;
  fault?: FakeFault;
}

/** A failure to inject. `afterChunks` counts stream chunks already written. */
export type FakeFault =
  | { type: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  | { type: 'drop-before-response' }
  | { type: 'drop-mid-stream'; afterChunks: number }
  | { type: 'stall'; afterChunks: number }
  | { type: 'malformed'; afterChunks: number; frame?: string | Uint8Array }
  /**
   * Writes the first half of chunk `afterChunks`, then ends the body *cleanly*, as a proxy or a
   * close-delimited body does when the upstream dies: only the framing shows the answer was cut.
   */
  | { type: 'truncate'; afterChunks: number };

/** A request as the fake received it. */
export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  /** The body parsed as JSON, or undefined. */
  body: any;
}

/** What a provider-specific renderer returns for a scenario. */
export type RenderedResponse =
  | { kind: 'json'; status?: number; headers?: Record<string, string>; body: unknown }
  | { kind: 'stream'; status?: number; headers: Record<string, string>; chunks: (string | Uint8Array)[] };

/** Turns a scenario into the provider's wire format; `stream` says what the client asked for. */
export interface FakeRenderer {
  /** Whether the request asks for a streamed response. */
  isStreaming(request: RecordedRequest): boolean;
  render(scenario: FakeScenario, request: RecordedRequest, stream: boolean): RenderedResponse;
  /** The provider's error body for a status fault without an explicit body. */
  errorBody(status: number): unknown;
  /** A frame that is not valid in this protocol, for `malformed` faults. */
  malformedFrame: string | Uint8Array;
  /** Optional: answer requests that are not model calls (model lists, auth checks). */
  route?(request: RecordedRequest): RenderedResponse | { kind: 'reject'; status: number; body: unknown } | undefined;
}

/** A running fake. */
export interface FakeServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  requests: RecordedRequest[];
  /** The most requests the fake was answering at the same moment (for concurrency limits). */
  readonly peakInFlight: number;
  /** Forgets `peakInFlight` (the requests in flight now still count). */
  resetPeak(): void;
  /** Queues scenarios; each request takes the next one, or the default when the queue is empty. */
  enqueue(...scenarios: FakeScenario[]): void;
  setDefault(scenario: FakeScenario): void;
  close(): Promise<void>;
}

/** Starts a fake on an ephemeral loopback port. */
export async function startFakeServer(renderer: FakeRenderer): Promise<FakeServer> {
  const queue: FakeScenario[] = [];
  let defaultScenario: FakeScenario = { text: 'Hello from the fake.' };
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const wait = (milliseconds: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, milliseconds);
      timers.add(timer);
    });

  let inFlight = 0;
  let peakInFlight = 0;

  const handle = async (incoming: IncomingMessage, response: ServerResponse): Promise<void> => {
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    response.once('close', () => inFlight--);
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    let body: unknown;
    try {
      body = rawBody.length ? JSON.parse(rawBody.toString('utf8')) : undefined;
    } catch {
      body = undefined;
    }
    const request: RecordedRequest = {
      method: incoming.method ?? 'GET',
      url: new URL(incoming.url ?? '/', 'http://127.0.0.1'),
      headers: incoming.headers,
      rawBody,
      body,
    };
    requests.push(request);

    const routed = renderer.route?.(request);
    if (routed) {
      if (routed.kind === 'reject') return writeJson(response, routed.status, {}, routed.body);
      return writeRendered(response, routed, 0, undefined);
    }

    const scenario = queue.shift() ?? defaultScenario;
    if (scenario.latencyMs) await wait(scenario.latencyMs);
    const fault = scenario.fault;
    if (fault?.type === 'drop-before-response') {
      incoming.socket.destroy();
      return;
    }
    if (fault?.type === 'status') {
      return writeJson(response, fault.status, fault.headers ?? {}, fault.body ?? renderer.errorBody(fault.status));
    }
    const rendered = renderer.render(scenario, request, renderer.isStreaming(request));
    if (scenario.headers) rendered.headers = { ...rendered.headers, ...scenario.headers };
    await writeRendered(response, rendered, scenario.chunkDelayMs ?? 0, fault);
  };

  const writeRendered = async (
    response: ServerResponse,
    rendered: RenderedResponse,
    chunkDelayMs: number,
    fault: FakeFault | undefined,
  ): Promise<void> => {
    if (rendered.kind === 'json') return writeJson(response, rendered.status ?? 200, rendered.headers ?? {}, rendered.body);
    response.writeHead(rendered.status ?? 200, rendered.headers);
    response.flushHeaders();
    for (let index = 0; index < rendered.chunks.length; index++) {
      if (fault && 'afterChunks' in fault && fault.afterChunks === index) {
        if (fault.type === 'drop-mid-stream') {
          response.socket?.destroy();
          return;
        }
        if (fault.type === 'stall') return; // Hold the connection open and silent; the client must time out.
        if (fault.type === 'truncate') {
          const chunk = rendered.chunks[index];
          response.end(chunk.slice(0, Math.ceil(chunk.length / 2)));
          return;
        }
        if (fault.type === 'malformed') response.write(fault.frame ?? renderer.malformedFrame);
      }
      if (chunkDelayMs) await wait(chunkDelayMs);
      if (response.destroyed) return;
      response.write(rendered.chunks[index]);
    }
    response.end();
  };

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch((error) => {
      if (!response.headersSent) writeJson(response, 500, {}, { error: { message: String(error) } });
      else response.destroy();
    });
  });
  const loopback = await listenOnLoopback(server);

  return {
    url: loopback.url,
    requests,
    get peakInFlight() {
      return peakInFlight;
    },
    resetPeak: () => {
      peakInFlight = inFlight;
    },
    enqueue: (...scenarios) => queue.push(...scenarios),
    setDefault: (scenario) => {
      defaultScenario = scenario;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await loopback.close();
    },
  };
}

function writeJson(response: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(text);
}

/** Splits text into pieces of at most `size` characters (the fake's token stand-ins). */
export function splitText(text: string, size = 4): string[] {
  const pieces: string[] = [];
  for (let index = 0; index < text.length; index += size) pieces.push(text.slice(index, index + size));
  return pieces;
}

/** Formats one SSE event. */
export function sseFrame(data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`;
}
