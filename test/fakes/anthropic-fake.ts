/**
 * A fake Anthropic Messages API: `POST /v1/messages` (named SSE events or a whole message) and
 * `GET /v1/models` (paginated with `limit` / `after_id`). It enforces what the real API enforces
 * and our adapter must get right: an API key, `anthropic-version`, and a body the API accepts
 * (`anthropic-request-rules.ts`: `max_tokens`, never `temperature` with `top_p`, no empty turn, no
 * `tool_choice` without tools, every `tool_use` paired with its `tool_result`).
 */
import {
  splitText,
  sseFrame,
  startFakeServer,
  type FakeRenderer,
  type FakeScenario,
  type FakeServer,
  type RecordedRequest,
  type RenderedResponse,
} from './fake-server.js';
import { anthropicRequestProblem } from './anthropic-request-rules.js';

/** Model ids the fake's model list offers. */
export const anthropicFakeModels = ['claude-sonnet-4-5-20250929', 'claude-opus-4-5-20251101', 'claude-haiku-4-5-20251001'];

const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

let requestCounter = 0;

function errorBody(status: number, message = `fake error ${status}`): unknown {
  return { type: 'error', error: { type: errorTypes[status] ?? 'api_error', message }, request_id: `req_fake_${status}` };
}

function header(request: RecordedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function wireUsage(scenario: FakeScenario, request: RecordedRequest): Record<string, unknown> {
  const cached = scenario.usage?.cachedInputTokens ?? 0;
  const input = scenario.usage?.inputTokens ?? Math.max(1, Math.ceil(request.rawBody.length / 4));
  const output = scenario.usage?.outputTokens ?? Math.max(1, Math.ceil((scenario.text ?? '').length / 4));
  const usage: Record<string, unknown> = {
    // Anthropic's input_tokens excludes cache reads, unlike the neutral scenario's count.
    input_tokens: input - cached,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
    output_tokens: output,
  };
  if (scenario.usage?.reasoningTokens) usage.output_tokens_details = { thinking_tokens: scenario.usage.reasoningTokens };
  return usage;
}

function stopReason(scenario: FakeScenario): string {
  if (scenario.finish === 'length') return 'max_tokens';
  if (scenario.finish === 'tool-calls' || (scenario.toolCalls?.length && scenario.finish !== 'stop')) return 'tool_use';
  return 'end_turn';
}

function toolId(index: number, id?: string): string {
  return id ?? `toolu_fake${String(index).padStart(4, '0')}`;
}

function renderStream(scenario: FakeScenario, request: RecordedRequest, messageId: string): string[] {
  const model = scenario.servedModel ?? String(request.body?.model ?? 'claude-fake');
  const usage = wireUsage(scenario, request);
  const frames: string[] = [];
  const send = (data: Record<string, unknown>): void => {
    frames.push(sseFrame(data, String(data.type)));
  };
  send({
    type: 'message_start',
    message: {
      id: messageId,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // The opening usage carries the input counts and a placeholder output count, as the API does.
      usage: { ...usage, output_tokens: 1 },
    },
  });
  let index = 0;
  if (scenario.reasoning) {
    send({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
    for (const piece of splitText(scenario.reasoning)) send({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } });
    send({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: 'fake-signature' } });
    send({ type: 'content_block_stop', index });
    index++;
  }
  if (scenario.text) {
    send({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    frames.push(sseFrame({ type: 'ping' }, 'ping'));
    for (const piece of splitText(scenario.text)) send({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
    send({ type: 'content_block_stop', index });
    index++;
  }
  for (const [ordinal, call] of (scenario.toolCalls ?? []).entries()) {
    send({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: toolId(ordinal, call.id), name: call.name, input: {} } });
    // The API opens every tool input with an empty fragment, then streams the JSON in pieces.
    send({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } });
    const json = Object.keys(call.arguments).length ? JSON.stringify(call.arguments) : '';
    for (const piece of splitText(json, 7)) send({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
    send({ type: 'content_block_stop', index });
    index++;
  }
  send({ type: 'message_delta', delta: { stop_reason: stopReason(scenario), stop_sequence: null }, usage });
  send({ type: 'message_stop' });
  return frames;
}

function renderMessage(scenario: FakeScenario, request: RecordedRequest, messageId: string): unknown {
  const content: Record<string, unknown>[] = [];
  if (scenario.reasoning) content.push({ type: 'thinking', thinking: scenario.reasoning, signature: 'fake-signature' });
  if (scenario.text) content.push({ type: 'text', text: scenario.text });
  for (const [ordinal, call] of (scenario.toolCalls ?? []).entries()) {
    content.push({ type: 'tool_use', id: toolId(ordinal, call.id), name: call.name, input: call.arguments });
  }
  return {
    id: messageId,
    type: 'message',
    role: 'assistant',
    model: scenario.servedModel ?? String(request.body?.model ?? 'claude-fake'),
    content,
    stop_reason: stopReason(scenario),
    stop_sequence: null,
    usage: wireUsage(scenario, request),
  };
}

function responseHeaders(requestId: string): Record<string, string> {
  return {
    'request-id': requestId,
    'anthropic-ratelimit-requests-limit': '50',
    'anthropic-ratelimit-requests-remaining': '49',
    'anthropic-ratelimit-tokens-limit': '80000',
    'anthropic-ratelimit-tokens-remaining': '79000',
  };
}

function listModels(request: RecordedRequest): RenderedResponse {
  const limit = Math.max(1, Number(request.url.searchParams.get('limit') ?? 20));
  const afterId = request.url.searchParams.get('after_id');
  const start = afterId ? anthropicFakeModels.indexOf(afterId) + 1 : 0;
  const page = anthropicFakeModels.slice(start, start + limit);
  return {
    kind: 'json',
    body: {
      data: page.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-09-29T00:00:00Z' })),
      has_more: start + limit < anthropicFakeModels.length,
      first_id: page[0] ?? null,
      last_id: page[page.length - 1] ?? null,
    },
  };
}

/** The renderer, exported for tests that want to wrap it. */
export const anthropicRenderer: FakeRenderer = {
  isStreaming: (request) => request.body?.stream === true,
  render(scenario, request, stream) {
    const id = `msg_fake${String(++requestCounter).padStart(6, '0')}`;
    const headers = responseHeaders(`req_fake${requestCounter}`);
    if (!stream) return { kind: 'json', headers, body: renderMessage(scenario, request, id) };
    return {
      kind: 'stream',
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers },
      chunks: renderStream(scenario, request, id),
    };
  },
  errorBody: (status) => errorBody(status),
  malformedFrame: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{\n\n',
  route(request) {
    // The API takes a key as `x-api-key` or, as newer SDKs send it, `Authorization: Bearer`.
    if (!header(request, 'x-api-key') && !/^Bearer \S+/.test(header(request, 'authorization') ?? '')) {
      return { kind: 'reject', status: 401, body: errorBody(401, 'x-api-key header is required') };
    }
    if (!header(request, 'anthropic-version')) {
      return { kind: 'reject', status: 400, body: errorBody(400, 'anthropic-version: header is required') };
    }
    if (request.method === 'GET' && request.url.pathname === '/v1/models') return listModels(request);
    if (request.method !== 'POST' || request.url.pathname !== '/v1/messages') {
      return { kind: 'reject', status: 404, body: errorBody(404, `Not found: ${request.url.pathname}`) };
    }
    const problem = anthropicRequestProblem(request.body);
    if (problem) return { kind: 'reject', status: 400, body: errorBody(400, problem) };
    return undefined;
  },
};

/** Starts a fake Anthropic server on an ephemeral loopback port. */
export function startAnthropicFake(): Promise<FakeServer> {
  return startFakeServer(anthropicRenderer);
}
