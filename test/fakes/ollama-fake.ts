/**
 * A fake Ollama server: `/api/chat` as NDJSON (the server's default) or one JSON object with
 * `stream:false`, `/api/tags`, `/api/version`, and Ollama's `{"error":"…"}` bodies. Shapes follow
 * the server's Go types: tool-call arguments are objects, `prompt_eval_count` is omitted when 0,
 * durations are nanoseconds.
 */
import {
  splitText,
  startFakeServer,
  type FakeRenderer,
  type FakeScenario,
  type FakeServer,
  type RecordedRequest,
  type RenderedResponse,
} from './fake-server.js';

/** Options of the Ollama fake. */
export interface OllamaFakeOptions {
  /** Models `/api/tags` lists. */
  models?: string[];
  /** Emit tool-call ids and `function.index` (newer servers) instead of id-less calls (older ones). */
  toolCallIds?: boolean;
}

/** A running Ollama fake. */
export interface OllamaFake extends FakeServer {
  /** When true, streams end cleanly but without their `done:true` line (a truncated response). */
  omitDoneLine: boolean;
}

/** A chat-shaped `{"error":"…"}` line, for `malformed` faults that inject a mid-stream error. */
export function ollamaErrorLine(message: string): string {
  return `${JSON.stringify({ error: message })}\n`;
}

/** Starts an Ollama fake on 127.0.0.1 with an ephemeral port. */
export async function startOllamaFake(options: OllamaFakeOptions = {}): Promise<OllamaFake> {
  const state = { omitDoneLine: false };
  const models = options.models ?? ['llama3.2:latest', 'qwen3:8b'];
  const renderer: FakeRenderer = {
    // The real server streams when `stream` is absent.
    isStreaming: (request) => request.body?.stream !== false,
    render: (scenario, request, stream) => renderChat(scenario, request, stream, options, state.omitDoneLine),
    errorBody: (status) => ({ error: status === 404 ? 'model not found, try pulling it first' : `fake ollama error ${status}` }),
    malformedFrame: '{"model":"llama3.2","message":{"role":\n',
    route: (request) => routeOther(request, models),
  };
  const server = await startFakeServer(renderer);
  // An accessor (not Object.assign, which would copy a snapshot) so tests can flip it per request.
  return Object.defineProperty(server, 'omitDoneLine', {
    get: () => state.omitDoneLine,
    set: (value: boolean) => {
      state.omitDoneLine = value;
    },
    enumerable: true,
  }) as OllamaFake;
}

function routeOther(request: RecordedRequest, models: string[]): ReturnType<NonNullable<FakeRenderer['route']>> {
  const path = request.url.pathname;
  if (path === '/api/chat' && request.method === 'POST') return undefined;
  if (path === '/api/tags' && request.method === 'GET') {
    return {
      kind: 'json',
      body: {
        models: models.map((name) => ({
          name,
          model: name,
          modified_at: '2025-07-07T20:00:00.000000Z',
          size: 2019393189,
          digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
          details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
        })),
      },
    };
  }
  if (path === '/api/version' && request.method === 'GET') return { kind: 'json', body: { version: '0.12.0' } };
  // Go's default mux answers unknown routes with a plain-text 404.
  return { kind: 'reject', status: 404, body: '404 page not found' };
}

function renderChat(
  scenario: FakeScenario,
  request: RecordedRequest,
  stream: boolean,
  options: OllamaFakeOptions,
  omitDoneLine: boolean,
): RenderedResponse {
  const model = typeof request.body?.model === 'string' ? request.body.model : 'llama3.2';
  const createdAt = '2025-07-07T20:22:19.184789Z';
  const toolCalls = (scenario.toolCalls ?? []).map((call, index) => ({
    ...(options.toolCallIds ? { id: call.id ?? `call_fake_${index}` } : {}),
    function: { ...(options.toolCallIds ? { index } : {}), name: call.name, arguments: call.arguments },
  }));
  const doneReason = scenario.finish === 'length' ? 'length' : 'stop';
  const final: Record<string, unknown> = {
    done_reason: doneReason,
    done: true,
    total_duration: 182242375,
    load_duration: 41295167,
  };
  const inputTokens = scenario.usage?.inputTokens ?? 12;
  // The server's Go struct has `omitempty` on prompt_eval_count: a cached prompt shows no field at all.
  if (inputTokens > 0) {
    final.prompt_eval_count = inputTokens;
    final.prompt_eval_duration = 24573166;
  }
  final.eval_count = scenario.usage?.outputTokens ?? splitText(scenario.text ?? '').length;
  final.eval_duration = 115959084;

  if (!stream) {
    const message: Record<string, unknown> = { role: 'assistant', content: scenario.text ?? '' };
    if (scenario.reasoning) message.thinking = scenario.reasoning;
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    return { kind: 'json', headers: { 'content-type': 'application/json; charset=utf-8' }, body: { model, created_at: createdAt, message, ...final } };
  }

  const line = (value: unknown): string => `${JSON.stringify(value)}\n`;
  const chunk = (message: Record<string, unknown>): string =>
    line({ model, created_at: createdAt, message: { role: 'assistant', content: '', ...message }, done: false });
  const chunks: string[] = [];
  for (const piece of splitText(scenario.reasoning ?? '')) chunks.push(chunk({ thinking: piece }));
  for (const piece of splitText(scenario.text ?? '')) chunks.push(chunk({ content: piece }));
  if (toolCalls.length > 0) chunks.push(chunk({ tool_calls: toolCalls }));
  if (!omitDoneLine) chunks.push(line({ model, created_at: createdAt, message: { role: 'assistant', content: '' }, ...final }));
  return { kind: 'stream', headers: { 'content-type': 'application/x-ndjson' }, chunks };
}
