/**
 * Bedrock's credentials beyond static keys, against the signature-verifying fake: the standard AWS
 * chain (a container-credentials endpoint on 127.0.0.1, a shared credentials file with profiles in
 * a temp directory), refreshed before expiry, and a Bedrock API key sent as a bearer token.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bedrockConfigFromEnv, createBedrockAdapter } from '../../../providers/adapters/bedrock.js';
import { awsChainSource, cachedCredentials } from '../../../providers/adapters/bedrock-credentials.js';
import { LlmErrorCode } from '../../../providers/errors.js';
import { closePools } from '../../../providers/http.js';
import { complete } from '../../../providers/observable.js';
import { startBedrockFake } from '../../fakes/bedrock-fake.js';
import type { FakeServer } from '../../fakes/fake-server.js';

const region = 'eu-west-1';
const model = 'anthropic.claude-3-haiku-20240307-v1:0';
const request = { model, messages: [{ role: 'user' as const, content: 'Hello' }] };
const containerCredentials = { accessKeyId: 'ASIACONTAINEREXAMPLE', secretAccessKey: 'container/Secret+Key0123456789abcdefghij', sessionToken: 'ContainerSessionToken//Value==' };
const profileCredentials = { accessKeyId: 'AKIAPROFILEEXAMPLE', secretAccessKey: 'profile/Secret+Key0123456789abcdefghijkl' };
const bearerToken = 'ABSKbedrock-api-key-0123456789abcdef';

/** The AWS variables the SDK's chain reads from the process environment. */
const chainVariables = [
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN', 'AWS_EC2_METADATA_DISABLED', 'AWS_BEARER_TOKEN_BEDROCK',
];
let saved: Record<string, string | undefined>;
let directory: string;

beforeEach(async () => {
  saved = Object.fromEntries(chainVariables.map((name) => [name, process.env[name]]));
  for (const name of chainVariables) delete process.env[name];
  directory = await mkdtemp(path.join(tmpdir(), 'bedrock-credentials-'));
  // Nothing of this machine's own AWS setup may take part: empty shared files, no IMDS.
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(directory, 'none-credentials');
  process.env.AWS_CONFIG_FILE = path.join(directory, 'none-config');
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
});
afterEach(async () => {
  for (const name of chainVariables) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await rm(directory, { recursive: true, force: true });
});
afterAll(() => closePools());

/** A container-credentials endpoint (as ECS/EKS run one) that counts its callers. */
async function startContainerEndpoint(expiresInMs: number): Promise<{ server: Server; url: string; calls: () => number }> {
  let calls = 0;
  const server = createServer((incoming, response) => {
    calls++;
    if (incoming.headers.authorization !== 'container-auth-token') {
      response.writeHead(401).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({
      AccessKeyId: containerCredentials.accessKeyId,
      SecretAccessKey: containerCredentials.secretAccessKey,
      Token: containerCredentials.sessionToken,
      Expiration: new Date(Date.now() + expiresInMs).toISOString(),
    }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/credentials`, calls: () => calls };
}

describe('the AWS credential chain', () => {
  let fake: FakeServer;
  beforeAll(async () => {
    fake = await startBedrockFake({ credentials: containerCredentials, region });
  });
  afterAll(() => fake.close());

  it('signs with credentials from the container endpoint, and fetches them again only near expiry', async () => {
    for (const [expiresInMs, expectedFetches] of [[60 * 60_000, 1], [2 * 60_000, 2]] as const) {
      const endpoint = await startContainerEndpoint(expiresInMs);
      try {
        process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = endpoint.url;
        process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = 'container-auth-token';
        const config = bedrockConfigFromEnv({ ...process.env, AWS_REGION: region, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url })!;
        expect(config).toMatchObject({ region, endpoint: fake.url });
        expect(config.accessKeyId).toBeUndefined();
        const adapter = createBedrockAdapter(config);
        fake.enqueue({ text: 'one' }, { text: 'two' });
        expect((await complete(adapter.stream(request))).content).toBe('one');
        expect((await adapter.completeRequest(request)).content).toBe('two');
        // Credentials valid for an hour are reused; ones expiring within the refresh margin are not.
        expect(endpoint.calls()).toBe(expectedFetches);
      } finally {
        endpoint.server.close();
      }
    }
  });

  it('reads a profile of a shared credentials file', async () => {
    const profileFake = await startBedrockFake({ credentials: profileCredentials, region });
    try {
      const file = path.join(directory, 'credentials');
      await writeFile(file, `[default]\naws_access_key_id = AKIAWRONGDEFAULT\naws_secret_access_key = wrong\n\n[work]\naws_access_key_id = ${profileCredentials.accessKeyId}\naws_secret_access_key = ${profileCredentials.secretAccessKey}\n`);
      process.env.AWS_SHARED_CREDENTIALS_FILE = file;
      const config = bedrockConfigFromEnv({ AWS_REGION: region, AWS_PROFILE: 'work', AWS_SHARED_CREDENTIALS_FILE: file, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: profileFake.url })!;
      expect(config.profile).toBe('work');
      profileFake.enqueue({ text: 'from the work profile' });
      expect((await createBedrockAdapter(config).completeRequest(request)).content).toBe('from the work profile');
    } finally {
      await profileFake.close();
    }
  });

  it('fails as an authentication error, without a hang, when no source has credentials', async () => {
    const adapter = createBedrockAdapter({ region, endpoint: fake.url });
    const error = await adapter.completeRequest(request).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: LlmErrorCode.authentication, provider: 'bedrock' });
    expect(String((error as Error).message)).toContain('no usable AWS credentials');
  });

  it('counts Bedrock as configured only when a region and some credential source are there', () => {
    const none = () => false;
    expect(bedrockConfigFromEnv({ AWS_REGION: region }, none)).toBeUndefined();
    expect(bedrockConfigFromEnv({ AWS_PROFILE: 'work' }, none)).toBeUndefined();
    expect(bedrockConfigFromEnv({ AWS_REGION: region, AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/token' }, none)).toEqual({ region });
    expect(bedrockConfigFromEnv({ AWS_REGION: region, HOME: '/home/me' }, (file) => file === '/home/me/.aws/credentials')).toEqual({ region });
    expect(awsChainSource({ AWS_EC2_METADATA_DISABLED: 'false' }, none)).toBe('AWS_EC2_METADATA_DISABLED');
    expect(bedrockConfigFromEnv({ AWS_REGION: region, AWS_ACCESS_KEY_ID: 'AKID' }, () => true)).toBeUndefined();
  });
});

describe('credential refresh', () => {
  it('shares one load between concurrent callers and reloads once the credentials are near expiry', async () => {
    let now = 0;
    let loads = 0;
    const source = cachedCredentials(async () => {
      loads++;
      return { accessKeyId: `AKID${loads}`, secretAccessKey: 'secret', expiration: new Date(now + 10 * 60_000) };
    }, () => now);
    const [first, second] = await Promise.all([source(), source()]);
    expect(loads).toBe(1);
    expect(second).toBe(first);
    now += 4 * 60_000;
    expect((await source()).accessKeyId).toBe('AKID1');
    now += 2 * 60_000; // 4 minutes left: inside the 5-minute margin.
    expect((await source()).accessKeyId).toBe('AKID2');
  });

  it('does not keep a failed load', async () => {
    let attempt = 0;
    const source = cachedCredentials(async () => {
      attempt++;
      if (attempt === 1) throw new Error('endpoint down');
      return { accessKeyId: 'AKID', secretAccessKey: 'secret' };
    });
    await expect(source()).rejects.toMatchObject({ code: LlmErrorCode.authentication });
    expect((await source()).accessKeyId).toBe('AKID');
  });
});

describe('a Bedrock API key', () => {
  it('is sent as a bearer token, unsigned; a refused one never reaches the error message', async () => {
    const fake = await startBedrockFake({ credentials: containerCredentials, region, bearerToken });
    try {
      const config = bedrockConfigFromEnv({ AWS_REGION: region, AWS_BEARER_TOKEN_BEDROCK: bearerToken, AWS_ACCESS_KEY_ID: 'AKIAIGNORED', AWS_SECRET_ACCESS_KEY: 'ignored', AWS_ENDPOINT_URL: fake.url })!;
      expect(config).toMatchObject({ region, bearerToken });
      fake.enqueue({ text: 'with a key' });
      expect((await complete(createBedrockAdapter(config).stream(request))).content).toBe('with a key');
      const sent = fake.requests.at(-1)!;
      expect(sent.headers.authorization).toBe(`Bearer ${bearerToken}`);
      expect(sent.headers['x-amz-date']).toBeUndefined();

      const wrong = 'ABSKwrong-key-9876543210fedcba';
      const error = await createBedrockAdapter({ ...config, bearerToken: wrong }).completeRequest(request).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: LlmErrorCode.authentication });
      expect(`${(error as Error).message}${(error as Error).stack}`).not.toContain(wrong);
    } finally {
      await fake.close();
    }
  });
});
