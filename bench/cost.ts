/**
 * Budget overhead per call: one reservation and its settlement, in memory, in SQLite (one
 * process), and in SQLite with two processes reserving against the same budget at once; and the
 * budget + ledger stages around a canned in-memory adapter against the bare adapter. Baselines,
 * measured in the same run: a one-row INSERT transaction on the same database (a reservation and
 * a settlement are one small write transaction each, so 2× is the floor), and the bare adapter.
 *
 * Run with `npm run bench` (or `node dist/bench/cost.js`); BENCH_COST_CALLS sets the call count.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastValueFrom, Observable } from 'rxjs';
import { openCostDatabase } from '../engine/store/cost-database.js';
import { SqliteBudgetStore } from '../engine/store/budget-store.js';
import { budgetRulesFrom } from '../providers/layer/budget/budget-config.js';
import { createBudgetStage } from '../providers/layer/budget/budget-stage.js';
import type { BudgetStore } from '../providers/layer/budget/budget-store.js';
import { MemoryBudgetStore } from '../providers/layer/budget/memory-budget-store.js';
import { createLedgerStage } from '../providers/layer/ledger/ledger-stage.js';
import { MemoryLedger } from '../providers/layer/ledger/memory-ledger.js';
import type { AttemptContext } from '../providers/layer/stage.js';
import { PriceTable } from '../providers/pricing/price-table.js';
import { loadTokenizer } from '../providers/pricing/token-estimator.js';
import type { LlmEvent, LlmRequest } from '../providers/types.js';

const calls = Number(process.env.BENCH_COST_CALLS ?? 5_000);
const buckets = [
  { bucket: 'global|total', limitMicros: Number.MAX_SAFE_INTEGER },
  { bucket: 'mission:bench|day:2026-12-01', limitMicros: Number.MAX_SAFE_INTEGER },
  { bucket: 'run:bench|total', limitMicros: Number.MAX_SAFE_INTEGER },
];

/** Reserve + settle `count` times; returns microseconds per call. */
function reserveAndSettle(store: BudgetStore, count: number, tag: string): number {
  const started = process.hrtime.bigint();
  for (let index = 0; index < count; index++) {
    const now = Date.now();
    const id = `${tag}-${index}`;
    const result = store.reserve({ reservationId: id, buckets, wantMicros: 2_500, minMicros: 500, now, leaseUntil: now + 600_000 });
    if (!('granted' in result) || !result.granted) throw new Error('refused');
    store.settle(id, buckets.map((bucket) => bucket.bucket), 1_234);
  }
  return Number(process.hrtime.bigint() - started) / 1e3 / count;
}

if (process.env.BENCH_COST_CHILD) {
  const store = SqliteBudgetStore.open(process.env.BENCH_COST_CHILD);
  const perCall = reserveAndSettle(store, calls, `child-${process.pid}`);
  store.close();
  process.stdout.write(`${perCall}\n`);
} else {
  const folder = mkdtempSync(join(tmpdir(), 'cost-bench-'));
  try {
    const file = join(folder, 'state.db');
    const format = (micros: number) => `${micros.toFixed(1)} µs`;
    const rows: [string, number, number][] = [];

    const database = openCostDatabase(file);
    const empty = database.transaction(() => undefined);
    let started = process.hrtime.bigint();
    for (let index = 0; index < calls; index++) empty.immediate();
    const emptyTransaction = Number(process.hrtime.bigint() - started) / 1e3 / calls;
    // The fair floor: a reservation and a settlement are one small write transaction each.
    database.exec('CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, value INTEGER)');
    const insert = database.prepare('INSERT INTO bench_rows (value) VALUES (?)');
    const write = database.transaction((value: number) => insert.run(value));
    started = process.hrtime.bigint();
    for (let index = 0; index < calls; index++) write.immediate(index);
    const baseline = Number(process.hrtime.bigint() - started) / 1e3 / calls;
    database.close();

    rows.push(['memory store: reserve + settle', reserveAndSettle(new MemoryBudgetStore(), calls, 'memory'), baseline]);
    const store = SqliteBudgetStore.open(file);
    rows.push(['SQLite, 1 process: reserve + settle (3 buckets)', reserveAndSettle(store, calls, 'single'), baseline]);
    store.close();

    const child = () =>
      new Promise<number>((resolve, reject) => {
        const process_ = spawn(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, BENCH_COST_CHILD: file }, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        process_.stdout.on('data', (chunk) => (out += chunk));
        process_.on('close', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`child exited ${code}`))));
      });
    started = process.hrtime.bigint();
    const [first, second] = await Promise.all([child(), child()]);
    const wall = Number(process.hrtime.bigint() - started) / 1e3 / (2 * calls);
    rows.push(['SQLite, 2 processes: reserve + settle, per call in each', (first + second) / 2, baseline]);
    rows.push(['SQLite, 2 processes: wall time per call, both together', wall, baseline]);

    // The stages around a canned adapter, against the bare adapter.
    await loadTokenizer();
    const prices = PriceTable.load();
    const events: LlmEvent[] = [
      { type: 'start', provider: 'openai', model: 'gpt-4o-mini' },
      { type: 'text-delta', text: 'Hello there, ' },
      { type: 'text-delta', text: 'how can I help?' },
      { type: 'usage', usage: { inputTokens: 20, outputTokens: 8, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0, totalTokens: 28 } },
      { type: 'finish', reason: 'stop' },
    ];
    const adapter = (): Observable<LlmEvent> => new Observable((subscriber) => {
      for (const event of events) subscriber.next(event);
      subscriber.complete();
    });
    const request: LlmRequest = { model: 'gpt-4o-mini', maxTokens: 256, messages: [{ role: 'user', content: 'Say hello and offer help.' }] };
    const context = (index: number): AttemptContext => ({
      generationId: `g${index}`, request, origin: { runId: 'bench', mission: 'bench' }, record: () => undefined, now: Date.now,
      attempt: 1, target: { provider: 'openai', model: 'gpt-4o-mini' }, providerRequest: request,
    });
    const timeCalls = async (call: (index: number) => Observable<LlmEvent>): Promise<number> => {
      const begin = process.hrtime.bigint();
      for (let index = 0; index < calls; index++) await lastValueFrom(call(index));
      return Number(process.hrtime.bigint() - begin) / 1e3 / calls;
    };
    const bare = await timeCalls(() => adapter());
    const sqlite = SqliteBudgetStore.open(file);
    const budget = createBudgetStage({ store: sqlite, prices, rules: budgetRulesFrom([{ scope: 'run', limit_usd: 1_000_000 }, { scope: 'mission', period: 'daily', limit_usd: 1_000_000 }]) });
    const ledger = createLedgerStage({ ledger: new MemoryLedger(), prices });
    const staged = await timeCalls((index) => budget.wrapAttempt!(context(index), (sent) => ledger.wrapAttempt!({ ...context(index), providerRequest: sent }, () => adapter())));
    sqlite.close();

    console.log(`cost: ${calls} calls per measurement; empty BEGIN IMMEDIATE/COMMIT = ${format(emptyTransaction)}; baseline one-row INSERT transaction = ${format(baseline)}`);
    console.log('| measurement | per call | × one-row write transaction |');
    console.log('|---|---|---|');
    for (const [name, micros, base] of rows) console.log(`| ${name} | ${format(micros)} | ${(micros / base).toFixed(2)} |`);
    console.log(`| bare canned adapter | ${format(bare)} | — |`);
    console.log(`| budget (SQLite, 2 buckets) + ledger stages around it | ${format(staged)} | +${format(staged - bare)} per call |`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
