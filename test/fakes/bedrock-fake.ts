/**
 * A fake Bedrock Runtime: verifies the SigV4 signature of every request (403 with an AWS-shaped
 * error when it does not match), then answers Converse with JSON and ConverseStream with binary
 * event-stream frames — padded with Bedrock's `p` field — for any {@link FakeScenario}.
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
}

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
