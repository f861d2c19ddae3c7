/**
 * Helpers of the `http` step: URL redaction for messages and outputs, request-body encoding and a
 * size-capped response reader.
 */
import type { Dispatcher } from 'undici';
import { scrubSecrets } from '../../providers/secret-scrub.js';
import { MissionError, MissionErrorCode } from '../errors.js';

/** Largest response body the `http` step reads; its output is kept in the run record. */
export const maxResponseBytes = 10 * 1024 * 1024;

/** Query parameters whose values are treated as secrets wherever a URL is shown. */
const secretQueryName = /key|token|secret|sig|signature|password|passwd|auth|credential|session/i;

/**
 * The URL with any password, secret-looking query values and every query value holding one of
 * `secrets` (credential values of the environment) replaced by `***`, and any credential value
 * elsewhere in it (a path segment) masked, for error messages and outputs (which reach logs and
 * the audit store). Unparseable input is returned as a marker.
 */
export function redactUrl(url: string, secrets: readonly string[] = []): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(invalid URL)';
  }
  if (parsed.password) parsed.password = '***';
  // A user name alone (https://TOKEN@host) is how many services take a token.
  else if (parsed.username) parsed.username = '***';
  for (const name of [...parsed.searchParams.keys()]) {
    const values = parsed.searchParams.getAll(name);
    if (secretQueryName.test(name) || values.some((value) => secrets.some((secret) => value.includes(secret)))) parsed.searchParams.set(name, '***');
  }
  return scrubSecrets(parsed.toString().replaceAll('%2A%2A%2A', '***'), secrets);
}

/** Whether a header is present, ignoring case as HTTP does. */
export function hasHeader(headers: Record<string, string>, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(headers).some((key) => key.toLowerCase() === lower);
}

/**
 * Encodes a request body: strings are sent as they are; anything else as JSON, with a JSON
 * content type unless the mission set one.
 */
export function encodeBody(body: unknown, headers: Record<string, string>): string | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return body;
  if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
  return JSON.stringify(body);
}

/**
 * Reads a response body up to {@link maxResponseBytes}; a larger body is abandoned (the connection
 * is destroyed rather than drained) and the step fails.
 */
export async function readCappedBody(body: Dispatcher.ResponseData['body'], limit = maxResponseBytes): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = chunk as Buffer;
    size += bytes.byteLength;
    if (size > limit) {
      body.destroy();
      throw new MissionError(MissionErrorCode.stepFailed, `http: the response body is larger than ${limit} bytes`);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/**
 * The `response` output: parsed JSON when the server says JSON or names no type (RustChain tried
 * JSON first), else `{text}`. A body that claims JSON but is not stays `{text}` rather than failing.
 */
export function decodeResponse(data: Buffer, contentType: string | undefined): unknown {
  const text = data.toString('utf8');
  const mayBeJson = contentType === undefined || /[/+]json\b/i.test(contentType);
  if (mayBeJson && text.trim() !== '') {
    try {
      return JSON.parse(text);
    } catch {
      // Not JSON after all: fall through to text.
    }
  }
  return { text };
}
