/**
 * A fake Chat Completions server in three flavours, each rendering the real wire format:
 * `openai` (`/v1/chat/completions`, `/v1/models`, Bearer auth), `azure`
 * (`/openai/deployments/{deployment}/chat/completions?api-version=…` and the base-model list
 * `/openai/models?api-version=…`, `api-key` or Bearer auth,
 * prompt-filter first chunk, content-filter annotations) and `shimmy` (`/v1/…`, no auth, explicit
 * `null` delta fields, no usage in streams, zero usage otherwise, always `stop`, tools ignored).
 */
import {
  sseFrame,
  splitText,
  startFakeServer,
  type FakeRenderer,
  type FakeScenario,
  type FakeServer,
  type RecordedRequest,
  type RenderedResponse,
} from './fake-server.js';

/** Which server the fake imitates. */
export type OpenAiFakeFlavor = 'openai' | 'azure' | 'shimmy';

/** Options of the fake. */
export interface OpenAiFakeOptions {
  flavor?: OpenAiFakeFlavor;
  /** When set, requests must carry this key (`Authorization: Bearer` for openai, `api-key` for azure). */
  apiKey?: string;
  /** Azure only: a bearer token accepted instead of the key. */
  adToken?: string;
  /** Model ids served by `GET /v1/models` (azure: the base models of `GET /openai/models?api-version=…`). */
  models?: string[];
}

const filterResults = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};

/** Builds the renderer; exported so tests can render scenarios without a server. */
export function createOpenAiRenderer(options: OpenAiFakeOptions = {}): FakeRenderer {
  const flavor = options.flavor ?? 'openai';
  let counter = 0;

  const headersFor = (stream: boolean): Record<string, string> => {
    counter++;
    const headers: Record<string, string> = {
      'content-type': stream ? 'text/event-stream; charset=utf-8' : 'application/json',
    };
    if (flavor === 'shimmy') return headers;
    Object.assign(headers, {
      'x-request-id': `req_fake_${counter}`,
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-remaining-requests': '499',
      'x-ratelimit-limit-tokens': '200000',
      'x-ratelimit-remaining-tokens': '199990',
      'x-ratelimit-reset-requests': '120ms',
    });
    if (flavor === 'azure') Object.assign(headers, { 'apim-request-id': `apim-fake-${counter}`, 'x-ms-region': 'Fake Region' });
    return headers;
  };

  return {
    isStreaming: (request) => request.body?.stream === true,
    malformedFrame: 'data: {"id":"chatcmpl-broken","choices":[{"delta":{"content":"oo\n\n',
    errorBody: (status) => errorBody(flavor, status),
    route: (request) => route(flavor, options, request),
    render(scenario, request, stream): RenderedResponse {
      const model = scenario.servedModel ?? modelOf(flavor, request);
      const id = `chatcmpl-fake${counter + 1}`;
      const wire = wireAnswer(flavor, scenario, request);
      if (!stream) return { kind: 'json', headers: headersFor(false), body: completionBody(flavor, id, model, wire) };
      return { kind: 'stream', headers: headersFor(true), chunks: streamChunks(flavor, id, model, wire, request) };
    },
  };
}

/** Starts the fake on an ephemeral loopback port. */
export function startOpenAiFake(options: OpenAiFakeOptions = {}): Promise<FakeServer> {
  return startFakeServer(createOpenAiRenderer(options));
}

interface WireAnswer {
  text: string;
  reasoning: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: string;
  usage: Record<string, unknown>;
}

function wireAnswer(flavor: OpenAiFakeFlavor, scenario: FakeScenario, request: RecordedRequest): WireAnswer {
  // Shimmy ignores `tools` entirely and never calls one.
  const calls = flavor === 'shimmy' ? [] : (scenario.toolCalls ?? []);
  const toolCalls = calls.map((call, index) => ({ id: call.id ?? `call_fake_${index}`, name: call.name, arguments: JSON.stringify(call.arguments) }));
  const text = scenario.text ?? (toolCalls.length ? '' : 'Hello from the fake.');
  let finishReason = toolCalls.length ? 'tool_calls' : scenario.finish === 'length' ? 'length' : 'stop';
  if (flavor === 'shimmy') finishReason = 'stop';
  const inputTokens = scenario.usage?.inputTokens ?? Math.ceil(JSON.stringify(request.body?.messages ?? []).length / 4);
  const outputTokens = scenario.usage?.outputTokens ?? splitText(text).length + toolCalls.length * 8;
  const usage =
    flavor === 'shimmy'
      ? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }
      : {
          prompt_tokens: inputTokens,
          completion_tokens: outputTokens,
          total_tokens: inputTokens + outputTokens,
          prompt_tokens_details: { cached_tokens: scenario.usage?.cachedInputTokens ?? 0, audio_tokens: 0 },
          completion_tokens_details: {
            reasoning_tokens: scenario.usage?.reasoningTokens ?? 0,
            audio_tokens: 0,
            accepted_prediction_tokens: 0,
            rejected_prediction_tokens: 0,
          },
        };
  return { text, reasoning: flavor === 'shimmy' ? '' : (scenario.reasoning ?? ''), toolCalls, finishReason, usage };
}

function completionBody(flavor: OpenAiFakeFlavor, id: string, model: string, wire: WireAnswer): unknown {
  const message: Record<string, unknown> = { role: 'assistant', content: wire.toolCalls.length && !wire.text ? null : wire.text };
  if (flavor !== 'shimmy') Object.assign(message, { refusal: null, annotations: [] });
  if (wire.reasoning) message.reasoning_content = wire.reasoning;
  if (wire.toolCalls.length) {
    message.tool_calls = wire.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  }
  const choice: Record<string, unknown> = { index: 0, message, finish_reason: wire.finishReason };
  if (flavor !== 'shimmy') choice.logprobs = null;
  if (flavor === 'azure') choice.content_filter_results = filterResults;
  const body: Record<string, unknown> = { id, object: 'chat.completion', created: 1_755_137_933, model, choices: [choice], usage: wire.usage };
  if (flavor === 'openai') Object.assign(body, { service_tier: 'default', system_fingerprint: 'fp_fake' });
  if (flavor === 'azure') body.prompt_filter_results = [{ prompt_index: 0, content_filter_results: filterResults }];
  return body;
}

function streamChunks(flavor: OpenAiFakeFlavor, id: string, model: string, wire: WireAnswer, request: RecordedRequest): string[] {
  const base: Record<string, unknown> = { id, object: 'chat.completion.chunk', created: 1_755_137_933, model };
  if (flavor === 'openai') Object.assign(base, { service_tier: 'default', system_fingerprint: 'fp_fake' });
  const wantsUsage = flavor !== 'shimmy' && request.body?.stream_options?.include_usage === true;
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): string => {
    const choice: Record<string, unknown> = { index: 0, delta, finish_reason: finishReason };
    if (flavor !== 'shimmy') choice.logprobs = null;
    if (flavor === 'azure') choice.content_filter_results = finishReason ? {} : filterResults;
    const payload: Record<string, unknown> = { ...base, choices: [choice] };
    if (wantsUsage) payload.usage = null;
    return sseFrame(payload);
  };
  const chunks: string[] = [];
  if (flavor === 'azure') {
    chunks.push(sseFrame({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: filterResults }] }));
  }
  // Shimmy serialises every delta field, nulls included.
  chunks.push(chunk(flavor === 'shimmy' ? { content: null, role: 'assistant' } : { role: 'assistant', content: '', refusal: null }));
  for (const piece of splitText(wire.reasoning)) chunks.push(chunk({ reasoning_content: piece }));
  for (const piece of splitText(wire.text)) chunks.push(chunk(flavor === 'shimmy' ? { content: piece, role: null } : { content: piece }));
  wire.toolCalls.forEach((call, index) => {
    chunks.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }));
    for (const piece of splitText(call.arguments, 7)) chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  chunks.push(chunk(flavor === 'shimmy' ? { content: null, role: null } : {}, wire.finishReason));
  if (wantsUsage) chunks.push(sseFrame({ ...base, choices: [], usage: wire.usage }));
  chunks.push('data: [DONE]\n\n');
  return chunks;
}

function modelOf(flavor: OpenAiFakeFlavor, request: RecordedRequest): string {
  if (flavor === 'azure') return azureDeployment(request.url.pathname) ?? 'unknown';
  return typeof request.body?.model === 'string' ? request.body.model : 'unknown';
}

function azureDeployment(pathname: string): string | undefined {
  const match = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(pathname);
  return match ? decodeURIComponent(match[1]) : undefined;
}

type RouteAnswer = RenderedResponse | { kind: 'reject'; status: number; body: unknown } | undefined;

function route(flavor: OpenAiFakeFlavor, options: OpenAiFakeOptions, request: RecordedRequest): RouteAnswer {
  const path = request.url.pathname;
  const isChat = flavor === 'azure' ? azureDeployment(path) !== undefined : path === '/v1/chat/completions';
  const isModels = path === (flavor === 'azure' ? '/openai/models' : '/v1/models');
  if (!(isChat && request.method === 'POST') && !(isModels && request.method === 'GET')) {
    return { kind: 'reject', status: 404, body: errorBody(flavor, 404) };
  }
  if (flavor === 'azure' && !request.url.searchParams.get('api-version')) {
    return { kind: 'reject', status: 404, body: { error: { code: '404', message: 'Resource not found' } } };
  }
  const rejected = checkAuth(flavor, options, request);
  if (rejected) return rejected;
  if (isModels && flavor === 'azure') return { kind: 'json', body: { data: (options.models ?? ['fake-model']).map(azureModel), object: 'list' } };
  if (isModels) {
    const data = (options.models ?? ['fake-model']).map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake' }));
    return { kind: 'json', body: { object: 'list', data } };
  }
  if (flavor === 'shimmy') return shimmyValidation(request);
  return undefined;
}

/**
 * One entry of Azure's data-plane model list (Models - List): a base model the resource can
 * deploy, with capabilities and lifecycle, never a deployment.
 */
function azureModel(id: string): Record<string, unknown> {
  const embeddings = id.includes('embedding');
  return {
    status: 'succeeded',
    capabilities: { fine_tune: false, inference: true, completion: false, chat_completion: !embeddings, embeddings },
    lifecycle_status: 'generally-available',
    deprecation: { inference: 1_798_761_600 },
    id,
    created_at: 1_715_558_400,
    object: 'model',
  };
}

function checkAuth(flavor: OpenAiFakeFlavor, options: OpenAiFakeOptions, request: RecordedRequest): RouteAnswer {
  if (flavor === 'shimmy' || options.apiKey === undefined) return undefined;
  const authorization = String(request.headers.authorization ?? '');
  const given = flavor === 'azure' ? String(request.headers['api-key'] ?? '') : authorization.replace(/^Bearer /, '');
  if (given === options.apiKey) return undefined;
  if (flavor === 'azure' && options.adToken !== undefined && authorization === `Bearer ${options.adToken}`) return undefined;
  // Real servers echo (part of) the key they were sent; this one echoes all of it, so tests can
  // prove the adapter scrubs it.
  const message = `Incorrect API key provided: ${given || authorization}.`;
  return { kind: 'reject', status: 401, body: { error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } };
}

/** Shimmy's request checks: axum rejects a `null` content in plain text; `max_tokens` must be 1..131072. */
function shimmyValidation(request: RecordedRequest): RouteAnswer {
  const messages: unknown[] = Array.isArray(request.body?.messages) ? request.body.messages : [];
  if (messages.some((message) => (message as Record<string, unknown>).content === null)) {
    return { kind: 'reject', status: 422, body: 'Failed to deserialize the JSON body into the target type: messages: invalid type: null, expected a string' };
  }
  const maxTokens = request.body?.max_tokens;
  if (maxTokens !== undefined && (typeof maxTokens !== 'number' || maxTokens < 1 || maxTokens > 131_072)) {
    return {
      kind: 'reject',
      status: 400,
      body: { error: { message: 'max_tokens must be between 1 and 131072', type: 'invalid_request_error', param: 'max_tokens', code: 'invalid_max_tokens' } },
    };
  }
  return undefined;
}

function errorBody(flavor: OpenAiFakeFlavor, status: number): unknown {
  if (flavor === 'shimmy' && status === 502) return ''; // Shimmy's generation failure: an empty 502.
  if (flavor === 'azure') return { error: { code: String(status), message: `Fake Azure error ${status}. Please retry after 1 second.` } };
  const type = status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error';
  const code = status === 429 ? 'rate_limit_exceeded' : status === 404 ? 'model_not_found' : null;
  return { error: { message: `Fake error ${status}`, type, param: null, code } };
}
