/**
 * Bedrock's model list: ListFoundationModels on the control plane (`GET /foundation-models`,
 * SigV4 service `bedrock`), filtered to text models callable on demand, against the fake — whose
 * signature check is itself cross-checked with the AWS SDK's own signer for a GET with a query.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { request as undiciRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBedrockAdapter, type BedrockAdapterConfig } from '../../../providers/adapters/bedrock.js';
import { awsDnsSuffix, bedrockControlPlaneUrl, onDemandTextModelIds } from '../../../providers/adapters/bedrock-models.js';
import { LlmError, LlmErrorCode } from '../../../providers/errors.js';
import { closePools } from '../../../providers/http.js';
import { defaultFoundationModels, startBedrockFake } from '../../fakes/bedrock-fake.js';
import type { FakeServer } from '../../fakes/fake-server.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'Session/Token+Value==' };
const region = 'eu-west-3';
const onDemandText = ['anthropic.claude-3-haiku-20240307-v1:0', 'amazon.nova-lite-v1:0', 'meta.llama3-8b-instruct-v1:0'];

let fake: FakeServer;
let config: BedrockAdapterConfig;
beforeAll(async () => {
  fake = await startBedrockFake({ credentials, region });
  // Runtime calls would go nowhere: the listing must use the control-plane endpoint alone.
  config = { ...credentials, region, endpoint: 'http://127.0.0.1:9', controlPlaneEndpoint: fake.url };
});
afterAll(async () => {
  await closePools();
  await fake.close();
});

/** A SHA-256 in the shape the smithy signer takes (what `@smithy/hash-node` provides in the SDK). */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : asBytes(secret));
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function asBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

describe('bedrock listModels against the fake control plane', () => {
  it('lists the on-demand text models with a signed GET /foundation-models and its filters', async () => {
    const models = await createBedrockAdapter(config).listModels();
    expect(models).toEqual(onDemandText);
    const request = fake.requests.at(-1)!;
    expect(request.method).toBe('GET');
    expect(request.url.pathname).toBe('/foundation-models');
    expect(Object.fromEntries(request.url.searchParams)).toEqual({ byInferenceType: 'ON_DEMAND', byOutputModality: 'TEXT' });
    expect(request.rawBody.length).toBe(0);
    expect(request.headers['x-amz-security-token']).toBe(credentials.sessionToken);
    expect(request.headers.authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\\d{8}/${region}/bedrock/aws4_request, SignedHeaders=accept;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$`),
    );
  });

  it('a wrong secret is a non-retryable authentication error that names no secret', async () => {
    const error = await createBedrockAdapter({ ...config, secretAccessKey: 'not-the-secret-at-all' })
      .listModels()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ code: LlmErrorCode.authentication, status: 403, providerCode: 'InvalidSignatureException', isRetryable: false });
    expect(JSON.stringify(error) + String(error)).not.toContain('not-the-secret-at-all');
  });

  it('an unreachable control plane is a connection error, not a hang', async () => {
    await expect(createBedrockAdapter({ ...config, controlPlaneEndpoint: 'http://127.0.0.1:9' }).listModels()).rejects.toMatchObject({
      code: LlmErrorCode.connection,
    });
  });

  it('the fake applies the service filters, and rejects a value outside their enums', async () => {
    const list = async (query: string): Promise<{ status: number; body: any }> => {
      const url = new URL(`${fake.url}/foundation-models${query}`);
      const signer = new SignatureV4({ credentials, region, service: 'bedrock', sha256: NodeSha256 });
      const signed = await signer.sign({
        method: 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { host: url.host, accept: 'application/json' },
      });
      const response = await undiciRequest(url, { method: 'GET', headers: signed.headers as Record<string, string> });
      return { status: response.statusCode, body: await response.body.json() };
    };
    // Signed by the AWS SDK's signer, not ours: the fake's verification is the standard one.
    const all = await list('');
    expect(all.status).toBe(200);
    expect(all.body.modelSummaries.map((model: { modelId: string }) => model.modelId)).toEqual(defaultFoundationModels.map((model) => model.modelId));
    expect((await list('?byOutputModality=EMBEDDING')).body.modelSummaries.map((model: { modelId: string }) => model.modelId)).toEqual([
      'amazon.titan-embed-text-v2:0',
    ]);
    expect((await list('?byProvider=anthropic&byInferenceType=PROVISIONED')).body.modelSummaries).toHaveLength(1);
    const refused = await list('?byOutputModality=AUDIO');
    expect(refused.status).toBe(400);
  });
});

describe('bedrock model-list parsing and endpoints', () => {
  it('keeps only text output callable on demand, even when the server ignored the filters', () => {
    expect(onDemandTextModelIds({ modelSummaries: defaultFoundationModels })).toEqual(onDemandText);
    expect(onDemandTextModelIds({ modelSummaries: [] })).toEqual([]);
    // Unknown shapes inside the list are skipped, not fatal.
    expect(onDemandTextModelIds({ modelSummaries: [null, { modelId: 7 }, { modelId: 'x', outputModalities: ['TEXT'] }] })).toEqual([]);
  });

  it('a body without modelSummaries is a malformed response', () => {
    expect(() => onDemandTextModelIds({ models: [] })).toThrow(expect.objectContaining({ code: LlmErrorCode.malformedResponse }));
  });

  it('builds the control-plane host the AWS endpoint rules build, per partition', () => {
    expect(bedrockControlPlaneUrl('us-east-1')).toBe('https://bedrock.us-east-1.amazonaws.com');
    expect(bedrockControlPlaneUrl('cn-north-1')).toBe('https://bedrock.cn-north-1.amazonaws.com.cn');
    expect(awsDnsSuffix('eu-central-1')).toBe('amazonaws.com');
  });
});
