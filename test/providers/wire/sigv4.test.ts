import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalUri, parseAuthorization, signRequest, uriEncode } from '../../../providers/wire/sigv4.js';

const bedrockFixtures = new URL('../../fixtures/providers/bedrock/', import.meta.url);
const suiteRoot = new URL('sigv4-test-vectors/', bedrockFixtures);

interface SuiteContext {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  region: string;
  service: string;
  sign_body: boolean;
  timestamp: string;
}

/** Parses the suite's raw HTTP `request.txt` (path bytes are sent unencoded, as on the wire). */
function parseRawRequest(raw: Buffer): { method: string; path: string; query: string; headers: Record<string, string>; body: Buffer } {
  const separator = raw.indexOf('\n\n');
  const head = raw.subarray(0, separator === -1 ? raw.length : separator).toString('utf8');
  const body = separator === -1 ? Buffer.alloc(0) : raw.subarray(separator + 2);
  const [requestLine, ...headerLines] = head.split('\n');
  const [method, target] = requestLine.split(' ');
  const question = target.indexOf('?');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    if (!line) continue;
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1);
  }
  return {
    method,
    path: question === -1 ? target : target.slice(0, question),
    query: question === -1 ? '' : target.slice(question + 1),
    headers,
    body,
  };
}

describe('SigV4 against the official suite', () => {
  const cases = readdirSync(suiteRoot);

  it('has the seven copied cases', () => {
    expect(cases.sort()).toEqual([
      'get-utf8',
      'get-vanilla',
      'get-vanilla-query-unreserved',
      'post-sts-header-before',
      'post-vanilla',
      'post-vanilla-query',
      'post-x-www-form-urlencoded',
    ]);
  });

  for (const name of cases) {
    it(`reproduces ${name}: canonical request, string to sign, signature, header`, () => {
      const file = (leaf: string): Buffer => readFileSync(new URL(`${name}/${leaf}`, suiteRoot));
      const context = JSON.parse(file('context.json').toString('utf8')) as SuiteContext;
      const request = parseRawRequest(file('request.txt'));
      const signed = signRequest(
        { method: request.method, path: request.path, query: request.query, headers: request.headers, body: request.body },
        {
          credentials: {
            accessKeyId: context.credentials.access_key_id,
            secretAccessKey: context.credentials.secret_access_key,
            sessionToken: context.credentials.token,
          },
          region: context.region,
          service: context.service,
          date: new Date(context.timestamp),
          signPayloadHeader: context.sign_body,
        },
      );
      expect(signed.canonicalRequest).toBe(file('header-canonical-request.txt').toString('utf8'));
      expect(signed.stringToSign).toBe(file('header-string-to-sign.txt').toString('utf8'));
      expect(signed.signature).toBe(file('header-signature.txt').toString('utf8').trim());
      const expectedAuthorization = /^Authorization:(.*)$/m.exec(file('header-signed-request.txt').toString('utf8'))?.[1];
      expect(signed.headers.authorization).toBe(expectedAuthorization);
    });
  }
});

describe('SigV4 for Bedrock (botocore-derived cases)', () => {
  const derived = JSON.parse(readFileSync(new URL('sigv4-derived/converse-botocore-derived.json', bedrockFixtures), 'utf8'));
  const withChecksum = JSON.parse(
    readFileSync(new URL('sigv4-derived/converse-with-x-amz-content-sha256-botocore-derived.json', bedrockFixtures), 'utf8'),
  );
  const sessionToken = derived.results['with-session-token'].headers['X-Amz-Security-Token'] as string;
  const url = new URL(derived.url as string);
  const base = {
    method: 'POST',
    path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/json', accept: 'application/json' },
    body: derived.body as string,
  };
  const options = {
    credentials: { accessKeyId: derived.access_key_id as string, secretAccessKey: derived.secret_access_key as string },
    region: derived.region as string,
    service: derived.service as string,
    date: new Date('2015-08-30T12:36:00Z'),
  };

  it('keeps %3A in the wire path and double-encodes it to %253A in the canonical URI', () => {
    expect(url.pathname).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    expect(canonicalUri(url.pathname)).toBe('/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse');
  });

  it('matches the case without a session token', () => {
    const expected = derived.results['no-session-token'];
    const signed = signRequest(base, options);
    expect(signed.canonicalRequest).toBe(expected.canonical_request);
    expect(signed.stringToSign).toBe(expected.string_to_sign);
    expect(signed.signature).toBe(expected.signature);
    expect(signed.headers.authorization).toBe(expected.authorization);
    expect(signed.headers['x-amz-security-token']).toBeUndefined();
  });

  it('matches the case with a session token (signed x-amz-security-token)', () => {
    const expected = derived.results['with-session-token'];
    const signed = signRequest(base, { ...options, credentials: { ...options.credentials, sessionToken } });
    expect(signed.canonicalRequest).toBe(expected.canonical_request);
    expect(signed.stringToSign).toBe(expected.string_to_sign);
    expect(signed.signature).toBe(expected.signature);
    expect(signed.headers['x-amz-security-token']).toBe(sessionToken);
    expect(signed.headers.authorization).toBe(expected.authorization);
  });

  it('matches the AWS-SDK-style case with a signed x-amz-content-sha256', () => {
    const signed = signRequest(
      { ...base, headers: { host: url.host, 'content-type': 'application/json' } },
      { ...options, signPayloadHeader: true },
    );
    expect(signed.headers['x-amz-content-sha256']).toBe(withChecksum.payload_sha256);
    expect(signed.canonicalRequest).toBe(withChecksum.canonical_request);
    expect(signed.stringToSign).toBe(withChecksum.string_to_sign);
    expect(signed.signature).toBe(withChecksum.signature);
    expect(signed.headers.authorization).toBe(withChecksum.authorization);
  });

  it('never puts the secret key or session token into the strings it returns besides the token header', () => {
    const signed = signRequest(base, { ...options, credentials: { ...options.credentials, sessionToken } });
    const { ['x-amz-security-token']: _token, ...otherHeaders } = signed.headers;
    const visible = JSON.stringify({ ...signed, headers: otherHeaders, canonicalRequest: '' });
    expect(visible).not.toContain(options.credentials.secretAccessKey);
    expect(visible).not.toContain(sessionToken);
  });

  it('parses its own Authorization header back', () => {
    const signed = signRequest(base, options);
    expect(parseAuthorization(signed.headers.authorization)).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      dateStamp: '20150830',
      region: 'us-east-1',
      service: 'bedrock',
      signedHeaders: ['accept', 'content-type', 'host', 'x-amz-date'],
      signature: derived.results['no-session-token'].signature,
    });
    expect(parseAuthorization('Bearer abc')).toBeUndefined();
  });

  it('escapes the characters encodeURIComponent leaves alone', () => {
    expect(uriEncode("a!b'c(d)e*f~g")).toBe('a%21b%27c%28d%29e%2Af~g');
  });
});
