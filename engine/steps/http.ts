/**
 * `http`: one HTTP request with undici. Statuses outside `expected_status` (default: any 2xx) fail
 * the step with the output attached; connection failures, timeouts, 5xx and 429 are retryable.
 */
import { request, type Dispatcher } from 'undici';
import { flattenHeaders, parseRetryAfter } from '../../providers/http.js';
import { credentialValues } from '../../providers/secret-scrub.js';
import { MissionError, MissionErrorCode } from '../errors.js';
import { defineStepKind } from './define-step.js';
import { decodeResponse, encodeBody, hasHeader, readCappedBody, redactUrl } from './http-support.js';
import { allowHardlinksProperty } from './path-parameters.js';
import { readWorkspaceFile } from './read-file.js';
import { abortError, missionErrorWithOutput, throwIfAborted } from './step-errors.js';
import { startTimer } from '../timer.js';

const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;

/** Parameters of `http`. */
export interface HttpParameters {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** A string is sent as is; any other value as JSON. */
  body?: unknown;
  /** A workspace file sent as the body (instead of `body`). */
  body_file?: string;
  /** Send a `body_file` that has other hard links (which may be outside the workspace). */
  allow_hardlinks?: boolean;
  timeout_seconds: number;
  /** Statuses that count as success; default any 2xx. */
  expected_status?: number | number[];
  /** `continue`: an unexpected status is returned as output instead of failing the step. */
  on_error: 'fail' | 'continue';
}

/** The output of an `http` step (also attached to status errors as `error.output`). */
export interface HttpOutput {
  url: string;
  method: string;
  status: number;
  headers: Record<string, string>;
  response: unknown;
}

function isExpected(status: number, expected: number | number[] | undefined): boolean {
  if (expected === undefined) return status >= 200 && status < 300;
  return Array.isArray(expected) ? expected.includes(status) : status === expected;
}

async function requestBody(parameters: HttpParameters, headers: Record<string, string>, workspace: string, signal: AbortSignal): Promise<string | Buffer | undefined> {
  if (parameters.body_file === undefined) return encodeBody(parameters.body, headers);
  if (parameters.body !== undefined) throw new MissionError(MissionErrorCode.parameters, 'http: give either "body" or "body_file", not both');
  const data = await readWorkspaceFile(workspace, parameters.body_file, signal, 'read body_file', { allowHardlinks: parameters.allow_hardlinks });
  if (parameters.body_file.toLowerCase().endsWith('.json') && !hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
  return data;
}

/** The `http` step kind. Output: `{url, method, status, headers, response}` (`response` = JSON or `{text}`). */
export const httpStep = defineStepKind<HttpParameters>({
  name: 'http',
  description: 'Send an HTTP request',
  parameters: {
    type: 'object',
    properties: {
      url: { type: 'string', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://' },
      method: { type: 'string', enum: [...methods, ...methods.map((method) => method.toLowerCase())], default: 'GET' },
      headers: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
      body: {},
      body_file: { type: 'string', minLength: 1 },
      allow_hardlinks: allowHardlinksProperty,
      timeout_seconds: { type: 'number', exclusiveMinimum: 0, default: 30 },
      expected_status: {
        anyOf: [
          { type: 'integer', minimum: 100, maximum: 599 },
          { type: 'array', items: { type: 'integer', minimum: 100, maximum: 599 }, minItems: 1 },
        ],
      },
      on_error: { type: 'string', enum: ['fail', 'continue'], default: 'fail' },
    },
    required: ['url'],
    additionalProperties: false,
  },
  async run(parameters, context) {
    throwIfAborted(context.signal);
    const method = parameters.method.toUpperCase();
    const shownUrl = redactUrl(parameters.url, credentialValues(context.env));
    const headers = { ...parameters.headers };
    const body = await requestBody(parameters, headers, context.workspace, context.signal);

    const timeoutMs = parameters.timeout_seconds * 1000;
    const timeout = new AbortController();
    const cancelTimeout = startTimer(() => timeout.abort(), timeoutMs);
    const signal = AbortSignal.any([context.signal, timeout.signal]);
    const failure = (error: unknown, stage: string): MissionError => {
      if (error instanceof MissionError) return error;
      if (context.signal.aborted) return abortError(context.signal);
      if (timeout.signal.aborted) {
        return new MissionError(MissionErrorCode.httpConnection, `http: ${method} ${shownUrl} timed out after ${parameters.timeout_seconds} s`, { cause: error, isRetryable: true });
      }
      if ((error as Error)?.name === 'InvalidArgumentError') {
        return new MissionError(MissionErrorCode.parameters, `http: ${method} ${shownUrl} has invalid headers or body`, { cause: error });
      }
      const code = (error as NodeJS.ErrnoException)?.code ?? (error as Error)?.name ?? 'error';
      return new MissionError(MissionErrorCode.httpConnection, `http: ${method} ${shownUrl} failed ${stage} (${code})`, { cause: error, isRetryable: true });
    };

    let response: Dispatcher.ResponseData;
    let data: Buffer;
    try {
      try {
        response = await request(parameters.url, {
          method: method as Dispatcher.HttpMethod,
          headers,
          body,
          signal,
          // The timer above bounds the whole exchange; undici's own (300 s by default, and subject
          // to setTimeout's 24.8-day ceiling) are switched off so any timeout_seconds holds.
          headersTimeout: 0,
          bodyTimeout: 0,
        });
      } catch (error) {
        throw failure(error, 'to connect');
      }
      try {
        data = await readCappedBody(response.body);
      } catch (error) {
        throw failure(error, 'while reading the response');
      }
    } finally {
      cancelTimeout();
    }

    const responseHeaders = flattenHeaders(response.headers);
    const output: HttpOutput = {
      url: shownUrl,
      method,
      status: response.statusCode,
      headers: responseHeaders,
      response: decodeResponse(data, responseHeaders['content-type']),
    };
    if (!isExpected(response.statusCode, parameters.expected_status) && parameters.on_error !== 'continue') {
      const wanted = parameters.expected_status === undefined ? '2xx' : [parameters.expected_status].flat().join(' or ');
      const error = missionErrorWithOutput(
        MissionErrorCode.httpStatus,
        `http: ${method} ${shownUrl} returned status ${response.statusCode}, expected ${wanted}`,
        output,
        { isRetryable: response.statusCode >= 500 || response.statusCode === 429 },
      );
      // The step retry policy honours the server's Retry-After (within retry.max_retry_after_ms).
      const retryAfterMs = response.statusCode === 429 || response.statusCode === 503 ? parseRetryAfter(responseHeaders) : undefined;
      throw retryAfterMs === undefined ? error : Object.assign(error, { retryAfterMs });
    }
    return output;
  },
});
