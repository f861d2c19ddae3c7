/** `OLLAMA_HOST` resolution, matching the Ollama CLI and ollama-js. */
import { describe, expect, it } from 'vitest';
import { createOllamaAdapter, ollamaConfigFromEnv, resolveOllamaHost } from '../../../providers/adapters/ollama.js';

describe('resolveOllamaHost', () => {
  it.each([
    [undefined, 'http://127.0.0.1:11434'],
    ['', 'http://127.0.0.1:11434'],
    ['   ', 'http://127.0.0.1:11434'],
    ['0.0.0.0', 'http://127.0.0.1:11434'],
    ['0.0.0.0:8080', 'http://127.0.0.1:8080'],
    ['example.internal', 'http://example.internal:11434'],
    ['example.internal:9000', 'http://example.internal:9000'],
    [':11500', 'http://127.0.0.1:11500'],
    ['http://example.internal', 'http://example.internal:80'],
    ['https://example.internal', 'https://example.internal:443'],
    ['https://example.internal:8443/ollama/', 'https://example.internal:8443/ollama'],
    ['http://127.0.0.1:11434/', 'http://127.0.0.1:11434'],
    ['[::1]:11434', 'http://[::1]:11434'],
    ['::1', 'http://[::1]:11434'],
    ['[::]', 'http://[::1]:11434'],
    ['example.internal:notaport', 'http://127.0.0.1:11434'],
    ['example.internal:99999', 'http://127.0.0.1:11434'],
  ])('%s → %s', (value, expected) => {
    expect(resolveOllamaHost(value)).toBe(expected);
  });

  it('ollamaConfigFromEnv always returns a config, local by default', () => {
    expect(ollamaConfigFromEnv({})).toEqual({ baseUrl: 'http://127.0.0.1:11434' });
    expect(ollamaConfigFromEnv({ OLLAMA_HOST: '0.0.0.0:11435' })).toEqual({ baseUrl: 'http://127.0.0.1:11435' });
  });

  it('the adapter resolves host-style base URLs too', () => {
    expect(createOllamaAdapter({ baseUrl: 'gpu-box:11434' }).baseUrl).toBe('http://gpu-box:11434');
    expect(createOllamaAdapter().baseUrl).toBe('http://127.0.0.1:11434');
  });
});
