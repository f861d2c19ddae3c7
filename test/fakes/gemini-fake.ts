/**
 * A fake Gemini API (Generative Language, v1beta): `models/{model}:generateContent`,
 * `:streamGenerateContent?alt=sse` (CRLF-framed `data:` events, no sentinel, cumulative usage,
 * whole `functionCall` parts) and `GET /v1beta/models` (paginated). It insists on the
 * `x-goog-api-key` header and a well-formed `contents` array, as the real API does.
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

/** Model names the fake's model list offers (with the `models/` prefix, as the API sends them). */
export const geminiFakeModels = ['models/gemini-2.5-flash', 'models/gemini-2.5-pro', 'models/gemini-3-pro-preview'];

const statusNames: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

let responseCounter = 0;

function errorBody(status: number, message = `fake error ${status}`): unknown {
  return { error: { code: status, message, status: statusNames[status] ?? 'UNKNOWN' } };
}

function modelAction(request: RecordedRequest): { model: string; action: string } | undefined {
  const match = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(request.url.pathname);
  return match ? { model: match[1], action: match[2] } : undefined;
}

interface UsageCounts {
  prompt: number;
  cached: number;
  thoughts: number;
  candidates: number;
}

function usageCounts(scenario: FakeScenario, request: RecordedRequest): UsageCounts {
  const thoughts = scenario.usage?.reasoningTokens ?? 0;
  const output = scenario.usage?.outputTokens ?? Math.max(1, Math.ceil((scenario.text ?? '').length / 4)) + thoughts;
  return {
    prompt: scenario.usage?.inputTokens ?? Math.max(1, Math.ceil(request.rawBody.length / 4)),
    cached: scenario.usage?.cachedInputTokens ?? 0,
    thoughts,
    // Gemini reports thoughts outside candidatesTokenCount; the neutral scenario counts them in.
    candidates: output - thoughts,
  };
}

function usageMetadata(counts: UsageCounts, candidates: number): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    promptTokenCount: counts.prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: counts.prompt + candidates + counts.thoughts,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: counts.prompt }],
  };
  if (counts.thoughts) metadata.thoughtsTokenCount = counts.thoughts;
  if (counts.cached) metadata.cachedContentTokenCount = counts.cached;
  return metadata;
}

function functionCallParts(scenario: FakeScenario): Record<string, unknown>[] {
  return (scenario.toolCalls ?? []).map((call, index) => ({
    functionCall: { ...(call.id ? { id: call.id } : {}), name: call.name, args: call.arguments },
    ...(index === 0 ? { thoughtSignature: 'ZmFrZS1zaWduYXR1cmU=' } : {}),
  }));
}

function finishReason(scenario: FakeScenario): string {
  return scenario.finish === 'length' ? 'MAX_TOKENS' : 'STOP';
}

function envelope(parts: Record<string, unknown>[], usage: Record<string, unknown>, model: string, responseId: string, finish?: string): Record<string, unknown> {
  return {
    candidates: [{ content: { parts, role: 'model' }, ...(finish ? { finishReason: finish } : {}), index: 0 }],
    usageMetadata: usage,
    modelVersion: model,
    responseId,
  };
}

function renderStream(scenario: FakeScenario, request: RecordedRequest, model: string, responseId: string): string[] {
  const counts = usageCounts(scenario, request);
  const frames: Record<string, unknown>[] = [];
  for (const piece of splitText(scenario.reasoning ?? '')) {
    frames.push(envelope([{ text: piece, thought: true }], usageMetadata(counts, 0), model, responseId));
  }
  const pieces = splitText(scenario.text ?? '');
  pieces.forEach((piece, index) => {
    // Usage is cumulative on every chunk, growing as text is produced.
    const soFar = Math.max(1, Math.round((counts.candidates * (index + 1)) / pieces.length));
    frames.push(envelope([{ text: piece }], usageMetadata(counts, Math.min(soFar, counts.candidates)), model, responseId));
  });
  const calls = functionCallParts(scenario);
  if (calls.length) frames.push(envelope(calls, usageMetadata(counts, counts.candidates), model, responseId));
  // The last chunk carries finishReason and often only an empty, signature-bearing text part.
  frames.push(envelope([{ text: '', thoughtSignature: 'ZmFrZS1zaWduYXR1cmU=' }], usageMetadata(counts, counts.candidates), model, responseId, finishReason(scenario)));
  return frames.map((frame) => `data: ${JSON.stringify(frame)}\r\n\r\n`);
}

function renderWhole(scenario: FakeScenario, request: RecordedRequest, model: string, responseId: string): unknown {
  const counts = usageCounts(scenario, request);
  const parts: Record<string, unknown>[] = [];
  if (scenario.reasoning) parts.push({ text: scenario.reasoning, thought: true });
  if (scenario.text) parts.push({ text: scenario.text });
  parts.push(...functionCallParts(scenario));
  return envelope(parts, usageMetadata(counts, counts.candidates), model, responseId, finishReason(scenario));
}

function listModels(request: RecordedRequest): RenderedResponse {
  const pageSize = Math.max(1, Number(request.url.searchParams.get('pageSize') ?? 50));
  const start = Number(request.url.searchParams.get('pageToken') ?? 0);
  const page = geminiFakeModels.slice(start, start + pageSize);
  const next = start + pageSize < geminiFakeModels.length ? String(start + pageSize) : undefined;
  return {
    kind: 'json',
    body: {
      models: page.map((name) => ({ name, displayName: name, supportedGenerationMethods: ['generateContent', 'countTokens'] })),
      ...(next ? { nextPageToken: next } : {}),
    },
  };
}

function validate(request: RecordedRequest): string | undefined {
  const contents: unknown = request.body?.contents;
  if (!Array.isArray(contents) || contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified';
  for (const content of contents as { role?: unknown; parts?: unknown }[]) {
    if (content.role !== 'user' && content.role !== 'model') return `Please use a valid role: user, model.`;
    if (!Array.isArray(content.parts) || content.parts.length === 0) return '* GenerateContentRequest.contents: contents.parts must not be empty.';
  }
  if (modelAction(request)?.model.startsWith('gemini-3')) return missingSignature(contents as { role: string; parts: Record<string, unknown>[] }[]);
  return undefined;
}

/**
 * Gemini 3 insists that, within the current turn (everything since the last user text), the
 * first functionCall part of each model step comes back with the thoughtSignature it was sent with.
 */
function missingSignature(contents: { role: string; parts: Record<string, unknown>[] }[]): string | undefined {
  let turnStart = 0;
  contents.forEach((content, index) => {
    if (content.role === 'user' && content.parts.some((part) => typeof part.text === 'string')) turnStart = index;
  });
  for (const content of contents.slice(turnStart)) {
    const firstCall = content.role === 'model' ? content.parts.find((part) => part.functionCall !== undefined) : undefined;
    if (firstCall && typeof firstCall.thoughtSignature !== 'string') {
      return 'Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly.';
    }
  }
  return undefined;
}

/** Options of the Gemini fake. */
export interface GeminiFakeOptions {
  /** When set, any other key is refused as the real API refuses it (400 INVALID_ARGUMENT, ErrorInfo API_KEY_INVALID). */
  apiKey?: string;
}

/** Error bodies the real API sends, verbatim in shape, for status faults. */
export const geminiErrorBodies = {
  invalidKey: {
    error: {
      code: 400,
      message: 'API key not valid. Please pass a valid API key.',
      status: 'INVALID_ARGUMENT',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } }],
    },
  },
  contextLength: {
    error: { code: 400, message: 'The input token count (1290123) exceeds the maximum number of tokens allowed (1048576).', status: 'INVALID_ARGUMENT' },
  },
  perDayQuota: {
    error: {
      code: 429,
      message: 'You exceeded your current quota, please check your plan and billing details.',
      status: 'RESOURCE_EXHAUSTED',
      details: [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier' }] },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '42s' },
      ],
    },
  },
  perMinuteQuota: {
    error: {
      code: 429,
      message: 'You exceeded your current quota, please check your plan.',
      status: 'RESOURCE_EXHAUSTED',
      details: [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }] },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34.4s' },
      ],
    },
  },
} as const;

/** The renderer, exported for tests that want to wrap it. */
export const geminiRenderer: FakeRenderer = createGeminiRenderer();

/** A renderer with options (a key to insist on). */
export function createGeminiRenderer(options: GeminiFakeOptions = {}): FakeRenderer {
  return {
    isStreaming: (request) => modelAction(request)?.action === 'streamGenerateContent',
    render(scenario, request, stream) {
      const model = modelAction(request)?.model ?? 'gemini-fake';
      const responseId = `fake-response-${++responseCounter}`;
      const served = scenario.servedModel ?? model;
      if (!stream) return { kind: 'json', body: renderWhole(scenario, request, served, responseId) };
      return { kind: 'stream', headers: { 'content-type': 'text/event-stream' }, chunks: renderStream(scenario, request, served, responseId) };
    },
    errorBody: (status) => errorBody(status),
    malformedFrame: 'data: {"candidates":[{"content":\r\n\r\n',
    route(request) {
      const key = request.headers['x-goog-api-key'];
      // The real API also takes `?key=`; the adapter tests check that ours never uses it.
      if (!key && !request.url.searchParams.has('key')) {
        return { kind: 'reject', status: 403, body: errorBody(403, 'Method doesn\'t allow unregistered callers. Please use an API key in the x-goog-api-key header.') };
      }
      if (options.apiKey !== undefined && (key ?? request.url.searchParams.get('key')) !== options.apiKey) {
        return { kind: 'reject', status: 400, body: geminiErrorBodies.invalidKey };
      }
      if (request.method === 'GET' && request.url.pathname === '/v1beta/models') return listModels(request);
      const action = modelAction(request);
      if (request.method !== 'POST' || !action) return { kind: 'reject', status: 404, body: errorBody(404, `Not found: ${request.url.pathname}`) };
      // Without alt=sse the real API streams one JSON array; this fake only speaks SSE.
      if (action.action === 'streamGenerateContent' && request.url.searchParams.get('alt') !== 'sse') {
        return { kind: 'reject', status: 400, body: errorBody(400, 'fake requires alt=sse for streamGenerateContent') };
      }
      const problem = validate(request);
      return problem ? { kind: 'reject', status: 400, body: errorBody(400, problem) } : undefined;
    },
  };
}

/** Starts a fake Gemini server on an ephemeral loopback port. */
export function startGeminiFake(options: GeminiFakeOptions = {}): Promise<FakeServer> {
  return startFakeServer(options.apiKey === undefined ? geminiRenderer : createGeminiRenderer(options));
}
