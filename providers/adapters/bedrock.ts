/**
 * The AWS Bedrock adapter: Converse (JSON) and ConverseStream (binary event stream) on Bedrock
 * Runtime, and the model list on the Bedrock control plane, all signed with SigV4 (service
 * `bedrock`). Secrets are used only as HMAC keys and scrubbed from any error
 * text the service might echo back.
 */
import { LlmError, LlmErrorCode, type LlmErrorCodeValue } from '../errors.js';
import { bodyChunks, readJson, readRateLimit, scrubSecrets, sendRequest, type HttpResponse } from '../http.js';
import { eventStream } from '../observable.js';
import type { CallOptions, LlmEvent, LlmRequest, LlmResponse, ProviderAdapter } from '../types.js';
import { EventStreamDecoder } from '../wire/aws-event-stream.js';
import { signRequest } from '../wire/sigv4.js';
import { bedrockControlPlaneUrl, awsDnsSuffix, foundationModelsPath, foundationModelsQuery, onDemandTextModelIds } from './bedrock-models.js';
import { buildConverseBody, converseModelPath } from './bedrock-request.js';
import { exceptionCode, exceptionMapping, mapConverseResponse } from './bedrock-response.js';
import { ConverseStreamParser } from './bedrock-stream.js';
import { eventBatches } from './event-batches.js';

const provider = 'bedrock';

/** How to reach and authenticate to Bedrock Runtime. */
export interface BedrockAdapterConfig {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** For temporary (STS) credentials; sent and signed as `x-amz-security-token`. */
  sessionToken?: string;
  /** Endpoint override (AWS naming), e.g. a VPC endpoint or a local fake. */
  endpoint?: string;
  /** Same as `endpoint`, under the name every adapter config uses; wins when both are set. */
  baseUrl?: string;
  /**
   * Endpoint override of the Bedrock control plane, where {@link BedrockAdapter.listModels} asks.
   * Separate from `endpoint`, as in the AWS SDKs: a Runtime VPC endpoint is not a control-plane one.
   */
  controlPlaneEndpoint?: string;
  /** Clock for signing (tests pin it); defaults to the system clock. */
  now?: () => Date;
}

/** A Bedrock adapter: streaming via ConverseStream, plus the non-streaming Converse endpoint. */
export interface BedrockAdapter extends ProviderAdapter {
  /** One call to the non-streaming Converse endpoint, mapped to a response. */
  completeRequest(request: LlmRequest, options?: CallOptions): Promise<LlmResponse>;
  /** The ids of the text models this account can call on demand in the region (ListFoundationModels). */
  listModels(options?: CallOptions): Promise<string[]>;
}

/**
 * Reads `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION` (or
 * `AWS_DEFAULT_REGION`) and the endpoint overrides the AWS SDKs read: `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`
 * for Runtime and `AWS_ENDPOINT_URL_BEDROCK` for the control plane, each falling back to
 * `AWS_ENDPOINT_URL`. Undefined unless keys and a region are all present.
 */
export function bedrockConfigFromEnv(env: Record<string, string | undefined>): BedrockAdapterConfig | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  const region = (env.AWS_REGION || env.AWS_DEFAULT_REGION)?.trim();
  if (!accessKeyId || !secretAccessKey || !region) return undefined;
  const config: BedrockAdapterConfig = { region, accessKeyId, secretAccessKey };
  const sessionToken = env.AWS_SESSION_TOKEN?.trim();
  if (sessionToken) config.sessionToken = sessionToken;
  const endpoint = (env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME || env.AWS_ENDPOINT_URL)?.trim();
  if (endpoint) config.endpoint = endpoint;
  const controlPlaneEndpoint = (env.AWS_ENDPOINT_URL_BEDROCK || env.AWS_ENDPOINT_URL)?.trim();
  if (controlPlaneEndpoint) config.controlPlaneEndpoint = controlPlaneEndpoint;
  return config;
}

/** Creates the Bedrock adapter. */
export function createBedrockAdapter(config: BedrockAdapterConfig): BedrockAdapter {
  if (!config.region || !config.accessKeyId || !config.secretAccessKey) {
    throw new LlmError(LlmErrorCode.notConfigured, 'bedrock needs a region, an access key id and a secret access key', { provider });
  }
  const trim = (url: string): string => url.replace(/\/+$/, '');
  const base = trim(config.baseUrl ?? config.endpoint ?? `https://bedrock-runtime.${config.region}.${awsDnsSuffix(config.region)}`);
  const controlPlane = trim(config.controlPlaneEndpoint ?? bedrockControlPlaneUrl(config.region));
  const secrets = [config.secretAccessKey, config.sessionToken].filter((secret): secret is string => Boolean(secret));

  /** Signs and sends one request; errors come back typed, Bedrock-mapped and scrubbed. */
  const signedSend = async (
    url: URL,
    method: 'GET' | 'POST',
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> => {
    const signed = signRequest(
      { method, path: url.pathname, query: url.search.slice(1), headers: { host: url.host, ...headers }, body },
      {
        credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, sessionToken: config.sessionToken },
        region: config.region,
        service: 'bedrock',
        date: config.now?.() ?? new Date(),
      },
    );
    // undici derives Host from the origin, identical to the signed value.
    const { host: _host, ...sent } = signed.headers;
    try {
      return await sendRequest({ provider, url, method, headers: sent, body, signal });
    } catch (error) {
      throw refineError(error, secrets);
    }
  };

  /** Sends a signed Converse call. */
  const send = (request: LlmRequest, streaming: boolean, signal: AbortSignal | undefined): Promise<HttpResponse> => {
    const url = new URL(`${base}${converseModelPath(request.model, streaming)}`);
    // Serialised once: the signature covers these exact bytes.
    const body = JSON.stringify(buildConverseBody(request));
    const accept = streaming ? 'application/vnd.amazon.eventstream' : 'application/json';
    return signedSend(url, 'POST', { 'content-type': 'application/json', accept }, body, signal);
  };

  return {
    id: provider,

    stream(request: LlmRequest, options?: CallOptions) {
      return eventStream(provider, options, async function* (signal): AsyncGenerator<LlmEvent | LlmEvent[]> {
        try {
          const response = await send(request, true, signal);
          yield {
            type: 'start',
            provider,
            model: request.model,
            requestId: response.headers['x-amzn-requestid'],
            rateLimit: readRateLimit(response.headers),
          };
          const decoder = new EventStreamDecoder(provider, options?.limits?.maxFrameBytes);
          const parser = new ConverseStreamParser();
          yield* eventBatches(bodyChunks(provider, response, signal), {
            // The metadata event (usage) comes after messageStop: the body is read to its end.
            done: false,
            push(chunk, out) {
              for (const message of decoder.push(chunk)) out.push(...parser.handle(message));
            },
            end(out) {
              decoder.end();
              out.push(...parser.finish());
            },
          });
        } catch (error) {
          throw refineError(error, secrets);
        }
      });
    },

    async completeRequest(request: LlmRequest, options?: CallOptions): Promise<LlmResponse> {
      const response = await send(request, false, options?.signal);
      try {
        const json = await readJson(provider, response, options?.signal);
        return mapConverseResponse(json, request.model, response.headers['x-amzn-requestid']);
      } catch (error) {
        throw refineError(error, secrets);
      }
    },

    async listModels(options?: CallOptions): Promise<string[]> {
      const url = new URL(`${controlPlane}${foundationModelsPath}?${foundationModelsQuery}`);
      const response = await signedSend(url, 'GET', { accept: 'application/json' }, undefined, options?.signal);
      try {
        return onDemandTextModelIds(await readJson(provider, response, options?.signal));
      } catch (error) {
        throw refineError(error, secrets);
      }
    },
  };
}

/**
 * Re-types HTTP errors by Bedrock's exception name (`x-amzn-errortype` or `__type`, e.g.
 * ServiceQuotaExceededException → quota, InvalidSignatureException → authentication) and removes
 * any secret the service echoed (signature-mismatch messages can quote the canonical request,
 * which contains the session token).
 */
function refineError(error: unknown, secrets: string[]): unknown {
  if (!(error instanceof LlmError)) return error;
  const mapping = error.status !== undefined && error.providerCode ? exceptionMapping(error.providerCode) : undefined;
  const message = scrubSecrets(error.message, secrets);
  if (!mapping && message === error.message) return error;
  return new LlmError(mapping ? exceptionCode(mapping.code, message) : (error.code as LlmErrorCodeValue), message, {
    provider,
    status: error.status,
    providerCode: error.providerCode,
    retryAfterMs: error.retryAfterMs,
    rateLimit: error.rateLimit,
    requestId: error.requestId,
    isRetryable: mapping ? mapping.isRetryable : error.isRetryable,
    cause: error.cause,
  });
}
