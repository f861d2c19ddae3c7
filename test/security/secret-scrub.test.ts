/** Scrubbing credential values and bounding messages (the shared scrubber, and the run's use of it). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundText, credentialValues, isCredentialName, scrubSecrets } from '../../providers/secret-scrub.js';
import { createCredentialScrubber, maxMessageBytes } from '../../engine/credential-scrubber.js';
import { redactUrl } from '../../engine/steps/http-support.js';
import { runYaml } from '../run/harness.js';

const key = 'sk-test-0123456789abcdef';
const env = { PATH: process.env.PATH, OPENAI_API_KEY: key, SHORT_TOKEN: 'abc', HOME: '/home/x' };

describe('credential names and values', () => {
  it('knows provider keys and the name patterns, and not look-alikes', () => {
    for (const name of ['OPENAI_API_KEY', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_BEARER_TOKEN_BEDROCK', 'MISSION_AUDIT_KEY', 'MY_PASSWORD_FILE', 'GH_TOKEN', 'client_secret']) {
      expect(isCredentialName(name), name).toBe(true);
    }
    for (const name of ['PATH', 'HOME', 'TOKENIZERS_PARALLELISM', 'KEYBOARD', 'MONKEY']) expect(isCredentialName(name), name).toBe(false);
  });

  it('collects values of 8 characters or more, longest first', () => {
    expect(credentialValues({ A_TOKEN: 'short', B_API_KEY: 'abcdefgh', C_SECRET: 'abcdefghijkl', PATH: 'abcdefghijklmnop' })).toEqual(['abcdefghijkl', 'abcdefgh']);
  });
});

describe('scrubSecrets', () => {
  it('masks plain, JSON-escaped and URL-encoded spellings', () => {
    const secret = 'p@ss"word/123';
    expect(scrubSecrets(`a ${secret} b`, [secret])).toBe('a [redacted] b');
    expect(scrubSecrets(JSON.stringify({ value: secret }), [secret])).toBe('{"value":"[redacted]"}');
    expect(scrubSecrets(`https://h/?q=${encodeURIComponent(secret)}`, [secret])).toBe('https://h/?q=[redacted]');
  });
});

describe('boundText', () => {
  it('leaves short text alone and cuts long text below the limit with a note, never inside a character', () => {
    expect(boundText('short', 2048)).toBe('short');
    const long = 'é'.repeat(3000) + '😀'.repeat(100);
    const bounded = boundText(long, 2048);
    expect(Buffer.byteLength(bounded)).toBeLessThanOrEqual(2048);
    expect(bounded).toMatch(/\[cut: \d+ of 6400 bytes\]$/);
    expect(bounded).not.toContain('\uFFFD');
    const emoji = boundText('😀'.repeat(1000), 100);
    expect(emoji.startsWith('😀')).toBe(true);
    expect(/^(😀)+ … \[cut/.test(emoji)).toBe(true); // No lone surrogate half.
  });
});

describe('createCredentialScrubber', () => {
  it('masks deeply, copies only what changed, and bounds messages', () => {
    const scrubber = createCredentialScrubber(env);
    const untouched = { a: [1, 'x'] };
    expect(scrubber.value(untouched)).toBe(untouched);
    expect(scrubber.value({ a: [{ b: `k=${key}` }], n: 3 })).toEqual({ a: [{ b: 'k=[redacted]' }], n: 3 });
    expect(scrubber.message(`${key} `.repeat(500))).not.toContain(key);
    expect(Buffer.byteLength(scrubber.message('x'.repeat(10_000)))).toBeLessThanOrEqual(maxMessageBytes);
  });
});

describe('http URLs', () => {
  it('masks query values that hold a credential, whatever the parameter is called, and path segments', () => {
    const shown = redactUrl(`https://example.test/v1/${key}/x?q=${key}&page=2&api_key=abc`, [key]);
    expect(shown).not.toContain(key);
    expect(shown).toContain('q=***');
    expect(shown).toContain('page=2');
    expect(shown).toContain('api_key=***');
  });
});

describe('a run that echoes a credential', () => {
  const mission = `
version: "1.0"
name: echo-secret
steps:
  - id: missing
    step_type: command
    continue_on_error: true
    parameters: { command: "nonexistent-{{ env.OPENAI_API_KEY }}" }
  - id: path
    step_type: read_file
    continue_on_error: true
    parameters: { path: "missing-{{ env.OPENAI_API_KEY }}.txt" }
  - id: echo
    step_type: command
    parameters: { command: echo, args: ["{{ env.OPENAI_API_KEY }}"] }
  - id: use
    step_type: create_file
    depends_on: [echo]
    parameters: { path: out.txt, content: "{{ steps.echo.output.stdout }}" }
outputs:
  echoed: "{{ steps.echo.output.stdout }}"
`;

  it('keeps the value out of errors, results, outputs and every audit row, while later steps still get it', async () => {
    const { result, store, workspace } = await runYaml(mission, { env });
    expect(result.steps.missing.error).toMatchObject({ code: 'MISSION_ERR_COMMAND_SPAWN', message: 'command not found: nonexistent-[redacted]' });
    expect(result.steps.path.error?.message).toContain('[redacted]');
    expect(JSON.stringify(result)).not.toContain(key);
    const rows = store.events(result.runId);
    const payloads = rows.map((row) => (row.payloadHash ? store.payload(row.payloadHash) : null));
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(JSON.stringify(payloads)).not.toContain(key);
    expect(JSON.stringify(payloads)).toContain('[redacted]');
    // The mission asked to write the echoed value to a file: templates see the real output.
    expect(await readFile(path.join(workspace, 'out.txt'), 'utf8')).toBe(`${key}\n`);
  });
});
