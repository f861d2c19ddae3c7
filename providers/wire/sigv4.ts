/**
 * AWS Signature Version 4 (header-based, `AWS4-HMAC-SHA256`), as Bedrock needs it: canonical request,
 * string to sign, signing key and `Authorization` header, including temporary credentials
 * (`x-amz-security-token`, signed). Verified against the official SigV4 suite and botocore-derived
 * Bedrock cases. Secrets appear only as HMAC keys, never in returned strings or errors.
 */
import { createHash, createHmac } from 'node:crypto';

/** AWS credentials; `sessionToken` is present for temporary (STS) credentials. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A request to sign. `path` is the path exactly as sent on the wire (already URL-encoded). */
export interface SigV4Request {
  method: string;
  path: string;
  /** Raw query string without `?` (empty for Bedrock). */
  query?: string;
  /** Headers to send; all except the unsignable ones are signed. Must include `host`. */
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** Where and when to sign. */
export interface SigV4Options {
  credentials: AwsCredentials;
  region: string;
  /** Signing name: `bedrock` for Bedrock Runtime (not `bedrock-runtime`). */
  service: string;
  date: Date;
  /** Add and sign `x-amz-content-sha256` (AWS SDK JS v3 does; botocore does not for Bedrock). */
  signPayloadHeader?: boolean;
}

/** The result of signing: headers to add, plus the intermediate strings (for tests and debugging). */
export interface SignedRequest {
  /** The request's headers plus `x-amz-date`, `x-amz-security-token`, `x-amz-content-sha256`, `authorization`. */
  headers: Record<string, string>;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  signedHeaders: string;
}

/**
 * Headers that are never signed: proxies and clients rewrite them (smithy's `ALWAYS_UNSIGNABLE_HEADERS`).
 */
export const unsignableHeaders: ReadonlySet<string> = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);

/** The SHA-256 of the empty string, the payload hash of bodiless requests. */
export const emptyPayloadHash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Signs a request; returns the complete header set to send. */
export function signRequest(request: SigV4Request, options: SigV4Options): SignedRequest {
  const amzDate = formatAmzDate(options.date);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  headers['x-amz-date'] = amzDate;
  if (options.credentials.sessionToken) headers['x-amz-security-token'] = options.credentials.sessionToken;
  const payloadHash = sha256Hex(request.body ?? '');
  if (options.signPayloadHeader) headers['x-amz-content-sha256'] = payloadHash;
  const signedNames = Object.keys(headers)
    .filter((name) => !unsignableHeaders.has(name))
    .sort();
  const canonicalRequest = buildCanonicalRequest(request.method, request.path, request.query ?? '', signedNames, headers, payloadHash);
  const scope = credentialScope(amzDate.slice(0, 8), options.region, options.service);
  const stringToSign = buildStringToSign(amzDate, scope, canonicalRequest);
  const signature = computeSignature(options.credentials.secretAccessKey, amzDate.slice(0, 8), options.region, options.service, stringToSign);
  const signedHeaders = signedNames.join(';');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${options.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { headers, canonicalRequest, stringToSign, signature, signedHeaders };
}

/**
 * The canonical request: method, canonical URI, canonical query, the named headers (lower-cased,
 * trimmed, inner whitespace collapsed, sorted), the signed-header list and the payload hash.
 */
export function buildCanonicalRequest(
  method: string,
  path: string,
  query: string,
  signedNames: readonly string[],
  headers: Record<string, string>,
  payloadHash: string,
): string {
  const lowered: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lowered[name.toLowerCase()] = value;
  const names = [...signedNames].map((name) => name.toLowerCase()).sort();
  const canonicalHeaders = names.map((name) => `${name}:${(lowered[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  return [method.toUpperCase(), canonicalUri(path), canonicalQuery(query), canonicalHeaders, names.join(';'), payloadHash].join('\n');
}

/**
 * The canonical URI of a wire path: dot segments removed, then every segment URI-encoded *again*
 * (non-S3 services double-encode, which is why Bedrock's `%3A` becomes `%253A`).
 */
export function canonicalUri(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = path.endsWith('/') && segments.length > 0 ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailing}`;
}

/** The canonical query: each key and value decoded then strictly re-encoded, sorted by key then value. */
export function canonicalQuery(query: string): string {
  if (!query) return '';
  const pairs = query
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const equals = pair.indexOf('=');
      const key = equals === -1 ? pair : pair.slice(0, equals);
      const value = equals === -1 ? '' : pair.slice(equals + 1);
      return [uriEncode(safeDecode(key)), uriEncode(safeDecode(value))] as const;
    });
  pairs.sort(([keyA, valueA], [keyB, valueB]) => (keyA < keyB ? -1 : keyA > keyB ? 1 : valueA < valueB ? -1 : valueA > valueB ? 1 : 0));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

/** `<date>/<region>/<service>/aws4_request`. */
export function credentialScope(dateStamp: string, region: string, service: string): string {
  return `${dateStamp}/${region}/${service}/aws4_request`;
}

/** `AWS4-HMAC-SHA256\n<amz date>\n<scope>\n<hex sha256(canonical request)>`. */
export function buildStringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  return ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
}

/** The hex signature: HMAC chain date → region → service → `aws4_request`, then over the string to sign. */
export function computeSignature(secretAccessKey: string, dateStamp: string, region: string, service: string, stringToSign: string): string {
  const dateKey = hmac(`AWS4${secretAccessKey}`, dateStamp);
  const regionKey = hmac(dateKey, region);
  const serviceKey = hmac(regionKey, service);
  const signingKey = hmac(serviceKey, 'aws4_request');
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

/** `YYYYMMDD'T'HHMMSS'Z'` in UTC. */
export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Hex SHA-256 of a string (UTF-8) or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The parts of an `AWS4-HMAC-SHA256` Authorization header, or undefined when it is not one. */
export interface ParsedAuthorization {
  accessKeyId: string;
  dateStamp: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` (what a verifier needs). */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  const match = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})$/.exec(
    header?.trim() ?? '',
  );
  if (!match) return undefined;
  return {
    accessKeyId: match[1],
    dateStamp: match[2],
    region: match[3],
    service: match[4],
    signedHeaders: match[5].split(';'),
    signature: match[6],
  };
}

/** RFC 3986 encoding with SigV4's unreserved set `A-Za-z0-9-._~` (so `!'()*` are escaped too). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
