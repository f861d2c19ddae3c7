/**
 * A fake Bedrock Runtime: verifies the SigV4 signature of every request (403 with an AWS-shaped
 * error when it does not match), then answers Converse with JSON and ConverseStream with binary
 * event-stream frames — padded with Bedrock's `p` field — for any {@link FakeScenario}. It rejects
 * tool blocks sent without a toolConfig as the real service does, and also plays the control
 * plane's `GET /foundation-models` (same signing name, `bedrock`) with its query filters.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { encodeJsonEvent } from '../../providers/wire/aws-event-stream-encoder.js';
import {
  buildCanonicalRequest,
  buildStringToSign,
  computeSignature,
  credentialScope,
  parseAuthorization,
  sha256Hex,
  type AwsCredentials,
} from '../../providers/wire/sigv4.js';
import { splitText, startFakeServer, type FakeRenderer, type FakeScenario, type FakeServer, type RecordedRequest, type RenderedResponse } from './fake-server.js';

/** What the fake accepts: the one set of credentials and the region requests must be signed for. */
export interface BedrockFakeOptions {
  credentials: AwsCredentials;
  region: string;
  /** What `GET /foundation-models` lists before filtering; defaults to {@link defaultFoundationModels}. */
  foundationModels?: FoundationModelSummary[];
  /** A Bedrock API key the fake also accepts as `Authorization: Bearer` (unsigned requests). */
  bearerToken?: string;
}

/** One entry of ListFoundationModels' `modelSummaries` (AWS SDK `FoundationModelSummary`). */
export interface FoundationModelSummary {
  modelArn: string;
  modelId: string;
  modelName?: string;
  providerName?: string;
  inputModalities?: string[];
  outputModalities?: string[];
  responseStreamingSupported?: boolean;
  customizationsSupported?: string[];
  inferenceTypesSupported?: string[];
  modelLifecycle?: { status: 'ACTIVE' | 'LEGACY' };
}

/** The message Bedrock answers a Converse call that holds toolUse/toolResult blocks but no toolConfig. */
export const missingToolConfigMessage = 'The toolConfig field must be defined when using toolUse and toolResult content blocks.';

const summary = (modelId: string, providerName: string, output: string, inference: string[], status: 'ACTIVE' | 'LEGACY' = 'ACTIVE'): FoundationModelSummary => ({
  modelArn: `arn:aws:bedrock:us-east-1::foundation-model/${modelId}`,
  modelId,
  modelName: modelId.split('.')[1]?.split(':')[0] ?? modelId,
  providerName,
  inputModalities: ['TEXT'],
  outputModalities: [output],
  responseStreamingSupported: output === 'TEXT',
  customizationsSupported: [],
  inferenceTypesSupported: inference,
  modelLifecycle: { status },
});

/**
 * A small catalogue in the shapes a real listing holds: on-demand text models (one legacy), a
 * provisioned-only context variant, a model callable only through inference profiles, an
 * embedding model and an image model.
 */
export const defaultFoundationModels: FoundationModelSummary[] = [
  summary('anthropic.claude-3-haiku-20240307-v1:0', 'Anthropic', 'TEXT', ['ON_DEMAND']),
  summary('anthropic.claude-3-haiku-20240307-v1:0:200k', 'Anthropic', 'TEXT', ['PROVISIONED']),
  summary('anthropic.claude-3-7-sonnet-20250219-v1:0', 'Anthropic', 'TEXT', ['INFERENCE_PROFILE']),
  summary('amazon.nova-lite-v1:0', 'Amazon', 'TEXT', ['ON_DEMAND']),
  summary('meta.llama3-8b-instruct-v1:0', 'Meta', 'TEXT', ['ON_DEMAND'], 'LEGACY'),
  summary('amazon.titan-embed-text-v2:0', 'Amazon', 'EMBEDDING', ['ON_DEMAND']),
  summary('amazon.nova-canvas-v1:0', 'Amazon', 'IMAGE', ['ON_DEMAND']),
];

/** Exception names Bedrock uses for each status (AWS SDK errors.ts). */
const exceptionForStatus: Record<number, string> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

/** Starts a fake Bedrock Runtime on an ephemeral loopback port. */
export function startBedrockFake(options: BedrockFakeOptions): Promise<FakeServer> {
  return startFakeServer(bedrockRenderer(options));
}

/** The renderer, for tests that compose their own server. */
export function bedrockRenderer(options: BedrockFakeOptions): FakeRenderer {
  let frameCount = 0;
  /** Bedrock pads payloads with a random-length alphabet prefix; the fake cycles lengths instead. */
  const padding = (): string => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.slice(0, 1 + (frameCount++ % 40));
  const frame = (eventType: string, payload: Record<string, unknown>): Uint8Array => encodeJsonEvent(eventType, { ...payload, p: padding() });

  const malformed = Buffer.from(encodeJsonEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'x' } }));
  malformed[malformed.length - 1] ^= 0xff;

  return {
    isStreaming: (request) => request.url.pathname.endsWith('/converse-stream'),

    route(request) {
      const rejection = verifySignature(request, options);
      if (rejection) return rejection;
      if (request.url.pathname === '/foundation-models' && request.method === 'GET') {
        return listFoundationModels(request, options.foundationModels ?? defaultFoundationModels);
      }
      if (!/^\/model\/[^/]+\/converse(-stream)?$/.test(request.url.pathname) || request.method !== 'POST') {
        return awsError(404, 'UnknownOperationException', 'The requested operation is not recognized by the service.');
      }
      const body = request.body as Record<string, unknown> | undefined;
      if (!body || !Array.isArray(body.messages) || body.messages.length === 0) {
        return awsError(400, 'ValidationException', 'The provided request is not valid: messages must be a non-empty list.');
      }
      if ('modelId' in body || 'model' in body) {
        return awsError(400, 'ValidationException', 'The model id belongs in the path, not in the body.');
      }
      if (body.toolConfig === undefined && holdsToolBlocks(body.messages)) return awsError(400, 'ValidationException', missingToolConfigMessage);
      const tools = (body.toolConfig as { tools?: unknown } | undefined)?.tools;
      if (body.toolConfig !== undefined && (!Array.isArray(tools) || tools.length === 0)) {
        // The service's generic constraint error for a list below its minimum length.
        return awsError(400, 'ValidationException', "1 validation error detected: Value '[]' at 'toolConfig.tools' failed to satisfy constraint: Member must have length greater than or equal to 1");
      }
      return undefined;
    },

    render(scenario, _request, stream): RenderedResponse {
      const usage = wireUsage(scenario);
      const stopReason = scenario.finish === 'length' ? 'max_tokens' : scenario.toolCalls?.length || scenario.finish === 'tool-calls' ? 'tool_use' : 'end_turn';
      const requestHeaders = { 'x-amzn-requestid': randomUUID() };
      const toolCalls = (scenario.toolCalls ?? []).map((call, index) => ({ ...call, id: call.id ?? `tooluse_fake${index}` }));
      if (!stream) {
        const content: Record<string, unknown>[] = [];
        if (scenario.reasoning) content.push({ reasoningContent: { reasoningText: { text: scenario.reasoning, signature: 'fake-signature' } } });
        if (scenario.text) content.push({ text: scenario.text });
        for (const call of toolCalls) content.push({ toolUse: { toolUseId: call.id, name: call.name, input: call.arguments } });
        return {
          kind: 'json',
          headers: requestHeaders,
          body: { output: { message: { role: 'assistant', content } }, stopReason, usage, metrics: { latencyMs: 42 } },
        };
      }
      const chunks: Uint8Array[] = [frame('messageStart', { role: 'assistant' })];
      let blockIndex = 0;
      if (scenario.reasoning) {
        for (const piece of splitText(scenario.reasoning)) {
          chunks.push(frame('contentBlockDelta', { contentBlockIndex: blockIndex, delta: { reasoningContent: { text: piece } } }));
        }
        chunks.push(frame('contentBlockDelta', { contentBlockIndex: blockIndex, delta: { reasoningContent: { signature: 'fake-signature' } } }));
        chunks.push(frame('contentBlockStop', { contentBlockIndex: blockIndex++ }));
      }
      if (scenario.text) {
        // Like Claude on Bedrock: text blocks get no contentBlockStart.
        for (const piece of splitText(scenario.text)) {
          chunks.push(frame('contentBlockDelta', { contentBlockIndex: blockIndex, delta: { text: piece } }));
        }
        chunks.push(frame('contentBlockStop', { contentBlockIndex: blockIndex++ }));
      }
      for (const call of toolCalls) {
        chunks.push(frame('contentBlockStart', { contentBlockIndex: blockIndex, start: { toolUse: { toolUseId: call.id, name: call.name } } }));
        const json = Object.keys(call.arguments).length === 0 ? '' : JSON.stringify(call.arguments);
        for (const piece of json ? splitText(json, 8) : ['']) {
          chunks.push(frame('contentBlockDelta', { contentBlockIndex: blockIndex, delta: { toolUse: { input: piece } } }));
        }
        chunks.push(frame('contentBlockStop', { contentBlockIndex: blockIndex++ }));
      }
      chunks.push(frame('messageStop', { stopReason }));
      // As in real captures, metadata (with usage) follows messageStop.
      chunks.push(frame('metadata', { usage, metrics: { latencyMs: 42 } }));
      return { kind: 'stream', headers: { 'content-type': 'application/vnd.amazon.eventstream', ...requestHeaders }, chunks };
    },

    errorBody(status) {
      const name = exceptionForStatus[status] ?? (status >= 500 ? 'InternalServerException' : 'ValidationException');
      // `__type` names the exception (the AWS SDK reads it when the x-amzn-errortype header is absent).
      return { __type: name, message: `Fake Bedrock ${name}.` };
    },

    malformedFrame: malformed,
  };
}

/** Whether any message holds a toolUse or toolResult content block. */
function holdsToolBlocks(messages: unknown[]): boolean {
  return messages.some((message) => {
    const content = (message as { content?: unknown }).content;
    return Array.isArray(content) && content.some((block) => typeof block === 'object' && block !== null && ('toolUse' in block || 'toolResult' in block));
  });
}

/** ListFoundationModels: every filter the query names narrows the list, as the service does. */
function listFoundationModels(request: RecordedRequest, models: FoundationModelSummary[]): RenderedResponse {
  const query = request.url.searchParams;
  const known: Record<string, string[]> = {
    byOutputModality: ['TEXT', 'IMAGE', 'EMBEDDING'],
    byInferenceType: ['ON_DEMAND', 'PROVISIONED'],
    byCustomizationType: ['FINE_TUNING', 'CONTINUED_PRE_TRAINING', 'DISTILLATION'],
  };
  for (const [name, values] of Object.entries(known)) {
    const value = query.get(name);
    if (value !== null && !values.includes(value)) {
      return awsError(400, 'ValidationException', `1 validation error detected: Value '${value}' at '${name}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`);
    }
  }
  const matches = (list: string[] | undefined, wanted: string | null): boolean => wanted === null || (list ?? []).includes(wanted);
  const provider = query.get('byProvider');
  const modelSummaries = models.filter(
    (model) =>
      matches(model.outputModalities, query.get('byOutputModality')) &&
      matches(model.inferenceTypesSupported, query.get('byInferenceType')) &&
      matches(model.customizationsSupported, query.get('byCustomizationType')) &&
      (provider === null || model.providerName?.toLowerCase() === provider.toLowerCase()),
  );
  return { kind: 'json', headers: { 'x-amzn-requestid': randomUUID() }, body: { modelSummaries } };
}

/** Bedrock's wire usage: `inputTokens` excludes cache reads, which are reported beside it. */
function wireUsage(scenario: FakeScenario): Record<string, number> {
  const inputTokens = scenario.usage?.inputTokens ?? 12;
  const outputTokens = scenario.usage?.outputTokens ?? Math.max(1, splitText(scenario.text ?? '').length);
  const cached = scenario.usage?.cachedInputTokens ?? 0;
  return {
    inputTokens: inputTokens - cached,
    outputTokens,
    totalTokens: inputTokens - cached + outputTokens,
    cacheReadInputTokens: cached,
    cacheWriteInputTokens: 0,
  };
}

function awsError(status: number, type: string, message: string): RenderedResponse {
  return {
    kind: 'json',
    status,
    headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.coral.service/`, 'x-amzn-requestid': randomUUID() },
    body: { message },
  };
}

/** Recomputes the request's SigV4 signature from what arrived; an AWS-shaped 403 when it differs. */
function verifySignature(request: RecordedRequest, options: BedrockFakeOptions): RenderedResponse | undefined {
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  const authorization = header('authorization');
  if (!authorization) return awsError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  if (authorization.startsWith('Bearer ')) {
    if (options.bearerToken !== undefined && authorization.slice(7) === options.bearerToken) return undefined;
    // As the service does, quote what was sent: a test that it never reaches our errors needs an echo.
    return awsError(403, 'UnrecognizedClientException', `The security token included in the request is invalid: ${authorization.slice(7)}`);
  }
  const parsed = parseAuthorization(authorization);
  if (!parsed) return awsError(403, 'IncompleteSignatureException', 'Authorization header requires Credential, SignedHeaders and Signature.');
  if (parsed.accessKeyId !== options.credentials.accessKeyId) {
    return awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  }
  const amzDate = header('x-amz-date') ?? '';
  if (parsed.service !== 'bedrock' || parsed.region !== options.region || !amzDate.startsWith(parsed.dateStamp)) {
    return awsError(403, 'InvalidSignatureException', 'Credential should be scoped to a valid region, service and date.');
  }
  for (const required of ['host', 'x-amz-date', ...(options.credentials.sessionToken ? ['x-amz-security-token'] : [])]) {
    if (!parsed.signedHeaders.includes(required)) {
      return awsError(403, 'InvalidSignatureException', `The header ${required} must be signed.`);
    }
  }
  if (options.credentials.sessionToken && header('x-amz-security-token') !== options.credentials.sessionToken) {
    return awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  }
  const payloadHash = sha256Hex(request.rawBody);
  const declaredHash = header('x-amz-content-sha256');
  if (declaredHash !== undefined && declaredHash !== payloadHash) {
    return awsError(400, 'XAmzContentSHA256Mismatch', 'The provided x-amz-content-sha256 header does not match what was computed.');
  }
  const headers: Record<string, string> = {};
  for (const name of parsed.signedHeaders) headers[name] = header(name) ?? '';
  const canonicalRequest = buildCanonicalRequest(request.method, request.url.pathname, request.url.search.slice(1), parsed.signedHeaders, headers, payloadHash);
  const stringToSign = buildStringToSign(amzDate, credentialScope(parsed.dateStamp, parsed.region, parsed.service), canonicalRequest);
  const expected = computeSignature(options.credentials.secretAccessKey, parsed.dateStamp, parsed.region, parsed.service, stringToSign);
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(parsed.signature))) {
    return awsError(
      403,
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
  return undefined;
}
