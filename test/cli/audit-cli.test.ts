/**
 * The audit commands as a user runs them: show --payloads, runs (interrupted), query, export,
 * prune, safety report, and what verify says about a tampered or damaged store.
 */
import { copyFileSync, existsSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { eventBody, eventHash, genesisHash } from '../../engine/store/chain.js';
import { AuditStore } from '../../engine/store/index.js';
import { outcomeOf, repoRoot, runCli, startCli, tempDir } from './cli-harness.js';

// Each test runs the CLI up to a dozen times, one process after another: on a busy machine that
// takes far longer than one command's default allowance.
vi.setConfig({ testTimeout: 180_000 });

const hello = path.join(repoRoot, 'missions', 'hello.yaml');
const auditKey = 'cli-audit-key-3d1f';
const keyed = { MISSION_AUDIT_KEY: auditKey };

async function runHello(cwd: string, who: string): Promise<string> {
  const outcome = await runCli(['run', hello, '--json', '--var', `who=${who}`], cwd, keyed);
  expect(outcome.code).toBe(0);
  return JSON.parse(outcome.stdout).runId as string;
}

async function waitFor(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('mission audit show --payloads', () => {
  it('prints what each event recorded, and [erased] for an erased run while the other run keeps it', async () => {
    const cwd = tempDir();
    const erasedRun = await runHello(cwd, 'same-person');
    const keptRun = await runHello(cwd, 'same-person');
    expect((await runCli(['audit', 'erase', erasedRun], cwd, keyed)).code).toBe(0);

    const kept = await runCli(['audit', 'show', keptRun, '--payloads'], cwd, keyed);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(/^run \S+ \(hello\) succeeded, started /);
    expect(kept.stdout).toMatch(/#0 \S+ mission-start .*\n {4}payload: \{"vars":\{"who":"same-person"\}\}/);
    expect(kept.stdout).toMatch(/step-succeeded \[greet\].*\n {4}payload: \{/);

    const erased = await runCli(['audit', 'show', erasedRun, '--payloads'], cwd, keyed);
    expect(erased.stdout).toContain('    payload: [erased]');
    expect(erased.stdout).not.toContain('same-person');

    const json = JSON.parse((await runCli(['audit', 'show', erasedRun, '--payloads', '--json'], cwd, keyed)).stdout);
    const start = json.find((event: { type: string }) => event.type === 'mission-start');
    expect(start).toMatchObject({ payloadStatus: 'erased' });
    expect(start).not.toHaveProperty('payload');
    const keptJson = JSON.parse((await runCli(['audit', 'show', keptRun, '--payloads', '--json'], cwd, keyed)).stdout);
    expect(keptJson[0]).toMatchObject({ type: 'mission-start', payloadStatus: 'present', payload: { vars: { who: 'same-person' } } });
    // Without --payloads the JSON stays as it was: events only.
    const plain = JSON.parse((await runCli(['audit', 'show', keptRun, '--json'], cwd, keyed)).stdout);
    expect(plain[0]).not.toHaveProperty('payloadStatus');
    expect((await runCli(['audit', 'verify'], cwd, keyed)).code).toBe(0);
  });
});

describe('a killed run', () => {
  it('shows as interrupted, verifies, is caught when its status is forged, and verifies again once resumed', async () => {
    const cwd = tempDir();
    writeFileSync(
      path.join(cwd, 'slow.yaml'),
      ['version: "1.0"', 'name: slow', 'steps:', '  - id: wait', '    step_type: command', '    parameters: { command: sh, args: ["-c", "touch started; test -f go || sleep 30"] }'].join('\n'),
    );
    const child = startCli(['run', 'slow.yaml'], cwd, keyed);
    const outcome = outcomeOf(child);
    await waitFor(() => existsSync(path.join(cwd, 'started')));
    child.kill('SIGKILL');
    await outcome;

    const runs = JSON.parse((await runCli(['runs', '--json'], cwd, keyed)).stdout);
    expect(runs[0].status).toBe('interrupted');
    expect((await runCli(['runs'], cwd, keyed)).stdout).toContain(' interrupted ');
    expect((await runCli(['audit', 'verify'], cwd, keyed)).code).toBe(0);

    // The attacker's copy: status forged, so resume would refuse the run.
    const database = path.join(cwd, '.mission', 'state.db');
    const forged = path.join(cwd, 'forged.db');
    const raw = new Database(database);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    copyFileSync(database, forged);
    const edit = new Database(forged);
    edit.prepare("UPDATE runs SET status = 'succeeded', ended_at = started_at, owner = NULL").run();
    edit.close();
    const caught = await runCli(['audit', 'verify', '--db', forged], cwd, keyed);
    expect(caught.code).toBe(1);
    expect(caught.stdout).toContain('signature does not verify');

    writeFileSync(path.join(cwd, 'go'), '');
    const resumed = await runCli(['resume', runs[0].id, '--json'], cwd, keyed);
    expect(JSON.parse(resumed.stdout).status).toBe('succeeded');
    expect((await runCli(['audit', 'verify'], cwd, keyed)).code).toBe(0);
    expect(JSON.parse((await runCli(['runs', '--json'], cwd, keyed)).stdout)[0].status).toBe('succeeded');
  });
});

describe('mission audit query and export', () => {
  it('filters by type, run and time, and exports every event with its hashes as JSON Lines', async () => {
    const cwd = tempDir();
    const first = await runHello(cwd, 'q1');
    const second = await runHello(cwd, 'q2');

    const byType = JSON.parse((await runCli(['audit', 'query', '--type', 'mission-end', '--json'], cwd)).stdout);
    expect(byType.map((event: { runId: string }) => event.runId)).toEqual([first, second]);
    const byRun = JSON.parse((await runCli(['audit', 'query', '--type', 'step-succeeded', '--run', second, '--json'], cwd)).stdout);
    expect(byRun.length).toBe(3);
    expect(byRun.every((event: { runId: string }) => event.runId === second)).toBe(true);
    expect(JSON.parse((await runCli(['audit', 'query', '--since', '2999-01-01', '--json'], cwd)).stdout)).toEqual([]);
    expect(JSON.parse((await runCli(['audit', 'query', '--since', '1h', '--type', 'mission-start', '--json'], cwd)).stdout).length).toBe(2);
    const limited = await runCli(['audit', 'query', '--limit', '2'], cwd);
    expect(limited.stdout.trim().split('\n')).toHaveLength(2);
    expect(limited.stderr).toContain('more events match');

    const exported = (await runCli(['audit', 'export', '--jsonl'], cwd)).stdout.trim().split('\n').map((line) => JSON.parse(line));
    const total = JSON.parse((await runCli(['audit', 'verify', '--json'], cwd)).stdout).eventsChecked;
    expect(exported).toHaveLength(total);
    // The export is enough to check the chain elsewhere.
    let previous = genesisHash(first);
    for (const event of exported.filter((line) => line.runId === first)) {
      expect(event.prevHash).toBe(previous);
      const { prevHash: _prev, hash, ...fields } = event;
      expect(eventHash(previous, eventBody(fields))).toBe(hash);
      previous = hash;
    }
    expect(exported.some((line) => 'payload' in line)).toBe(false);
    const withPayloads = (await runCli(['audit', 'export', '--jsonl', '--payloads'], cwd)).stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(withPayloads.find((line) => line.type === 'mission-start' && line.runId === second)).toMatchObject({ payloadStatus: 'present', payload: { vars: { who: 'q2' } } });
  });

  it('rejects bad options with usage errors (exit 2)', async () => {
    const cwd = tempDir();
    await runHello(cwd, 'x');
    for (const args of [
      ['audit', 'query', '--since', 'yesterday'],
      ['audit', 'query', '--since', '2026-13-45'],
      ['audit', 'query', '--since', '99999999d'],
      ['audit', 'query', '--limit', '0'],
      ['audit', 'query', '--limit', '1.5'],
      ['audit', 'export'],
      ['audit', 'prune'],
      ['audit', 'prune', '--older-than', 'soon'],
      ['safety', 'report', '--since', '-1d'],
    ]) {
      const outcome = await runCli(args, cwd);
      expect(outcome.code, args.join(' ')).toBe(2);
      expect(outcome.stdout, args.join(' ')).toBe('');
    }
  });

  it('help names the default database', async () => {
    for (const args of [['audit', 'query', '--help'], ['audit', 'show', '--help'], ['runs', '--help'], ['safety', 'report', '--help']]) {
      expect((await runCli(args, tempDir())).stdout).toContain('(default: $MISSION_DB, else .mission/state.db)');
    }
  });
});

describe('mission audit prune', () => {
  it('erases the payloads of runs older than the cutoff only, and the chain still verifies', async () => {
    const cwd = tempDir();
    const file = path.join(cwd, 'audit.db');
    const store = AuditStore.open(file, { auditKey });
    for (const [runId, daysAgo] of [['old', 40], ['recent', 2]] as const) {
      store.createRun({ runId, missionName: 'm', missionFile: 'm.yaml', missionSource: 'steps: []', vars: { who: `${runId}-person` }, workspace: '.', startedAt: new Date(Date.now() - daysAgo * 86_400_000) });
      store.append(runId, { type: 'step-succeeded', stepId: 'a', payload: { output: `${runId}-output` } });
      store.setRunStatus(runId, 'succeeded');
    }
    store.close();
    const dry = await runCli(['audit', 'prune', '--older-than', '30d', '--dry-run', '--db', file], cwd, keyed);
    expect(dry.stdout).toContain('would erase old');
    expect(dry.stdout).not.toContain('would erase recent');
    const pruned = await runCli(['audit', 'prune', '--older-than', '30d', '--db', file], cwd, keyed);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/^erased 1 payloads of 1 runs started before /);
    expect((await runCli(['audit', 'verify', '--db', file], cwd, keyed)).code).toBe(0);
    const reopened = AuditStore.open(file);
    expect(reopened.getRun('old')).toMatchObject({ vars: {}, erasedAt: expect.any(String) });
    expect(reopened.getRun('recent')).toMatchObject({ vars: { who: 'recent-person' } });
    reopened.close();
  });
});

describe('mission safety report', () => {
  it('counts safety-intervention events by rule and action, with --since', async () => {
    const cwd = tempDir();
    const file = path.join(cwd, 'audit.db');
    const store = AuditStore.open(file);
    store.createRun({ runId: 'r1', missionName: 'm', missionFile: 'm.yaml', missionSource: '', vars: {}, workspace: '.' });
    store.createRun({ runId: 'r2', missionName: 'm', missionFile: 'm.yaml', missionSource: '', vars: {}, workspace: '.' });
    const intervene = (runId: string, rule: string, action: string, where: string) =>
      store.append(runId, { type: 'safety-intervention', stepId: 'ask', data: { rule, action, where, reason: 'matched' } });
    intervene('r1', 'pii-email', 'redact', 'input');
    intervene('r1', 'pii-email', 'redact', 'output');
    intervene('r2', 'pii-email', 'redact', 'input');
    intervene('r2', 'prompt-injection', 'block', 'input');
    store.append('r2', { type: 'llm-retry', data: { rule: 'not-safety' } });
    store.close();

    const report = JSON.parse((await runCli(['safety', 'report', '--json', '--db', file], cwd)).stdout);
    expect(report).toEqual({
      since: null,
      total: 4,
      runs: 2,
      interventions: [
        { rule: 'pii-email', action: 'redact', count: 3, where: { input: 2, output: 1 } },
        { rule: 'prompt-injection', action: 'block', count: 1, where: { input: 1 } },
      ],
    });
    const text = await runCli(['safety', 'report', '--db', file], cwd);
    expect(text.stdout).toMatch(/^4 safety interventions in 2 runs\n/);
    expect(text.stdout).toMatch(/pii-email\s+redact\s+3\s+input 2, output 1/);
    const future = JSON.parse((await runCli(['safety', 'report', '--json', '--since', '2999-01-01', '--db', file], cwd)).stdout);
    expect(future).toMatchObject({ since: '2999-01-01T00:00:00.000Z', total: 0, interventions: [] });
  });
});

describe('a damaged store', () => {
  it('is reported as damaged (exit 1, with its code), not as a path to fix', async () => {
    const cwd = tempDir();
    await runHello(cwd, 'x');
    const file = path.join(cwd, '.mission', 'state.db');
    const raw = new Database(file);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    truncateSync(file, Math.floor(statSync(file).size / 2));
    for (const args of [['audit', 'verify'], ['runs']]) {
      const outcome = await runCli(args, cwd);
      expect(outcome.code, args.join(' ')).toBe(1);
      expect(outcome.stderr, args.join(' ')).toMatch(/^MISSION_ERR_AUDIT_STORE_DAMAGED: The audit store at .* is damaged/);
      expect(outcome.stderr).not.toContain('point --db');
    }
  });
});
