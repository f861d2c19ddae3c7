/**
 * A fake OpenAI moderation endpoint (`POST /v1/moderations`): Bearer auth, the real response shape
 * (`{id, model, results: [{flagged, categories, category_scores}]}`), a request body bound like the
 * service's (a string or an array of strings, `input` required), and the shared faults (error
 * statuses, latency, dropped connections). A text is flagged when it contains one of the words
 * the test configures, under the category it names.
 */
import { startFakeServer, type FakeRenderer, type FakeServer, type RecordedRequest } from './fake-server.js';

/** Options of {@link startModerationFake}. */
export interface ModerationFakeOptions {
  apiKey?: string;
  /** Word → category: an input containing the word is flagged in that category. */
  flagged?: Record<string, string>;
}

const categoryNames = ['harassment', 'hate', 'illicit', 'self-harm', 'sexual', 'violence'];

function verdictFor(text: string, flagged: Record<string, string>) {
  const hits = new Set(Object.entries(flagged).filter(([word]) => text.toLowerCase().includes(word.toLowerCase())).map(([, category]) => category));
  const categories = Object.fromEntries([...new Set([...categoryNames, ...hits])].map((name) => [name, hits.has(name)]));
  const scores = Object.fromEntries(Object.keys(categories).map((name) => [name, hits.has(name) ? 0.97 : 0.0004]));
  return { flagged: hits.size > 0, categories, category_scores: scores };
}

/** Starts the fake on a loopback port. */
export function startModerationFake(options: ModerationFakeOptions = {}): Promise<FakeServer> {
  const flagged = options.flagged ?? {};
  const renderer: FakeRenderer = {
    isStreaming: () => false,
    route(request: RecordedRequest) {
      if (request.url.pathname !== '/v1/moderations' || request.method !== 'POST') {
        return { kind: 'reject', status: 404, body: { error: { message: 'Not found', type: 'invalid_request_error' } } };
      }
      if (options.apiKey && request.headers.authorization !== `Bearer ${options.apiKey}`) {
        return { kind: 'reject', status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } } };
      }
      const input = request.body?.input;
      if (typeof input !== 'string' && !(Array.isArray(input) && input.every((item: unknown) => typeof item === 'string'))) {
        return { kind: 'reject', status: 400, body: { error: { message: "'input' is a required property", type: 'invalid_request_error' } } };
      }
      return undefined;
    },
    render(_scenario, request) {
      const input = request.body.input as string | string[];
      const texts = Array.isArray(input) ? input : [input];
      return { kind: 'json', body: { id: 'modr-fake', model: request.body.model ?? 'omni-moderation-latest', results: texts.map((text) => verdictFor(text, flagged)) } };
    },
    errorBody: (status) => ({ error: { message: `fake error ${status}`, type: status >= 500 ? 'server_error' : 'invalid_request_error' } }),
    malformedFrame: '{"results": [',
  };
  return startFakeServer(renderer);
}
