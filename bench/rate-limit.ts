/**
 * What the rate limiter costs a call: acquire + release with no limit configured and under a
 * generous limit (nothing waits), against a baseline of an already-resolved promise measured in the
 * same run; then a contended queue (concurrency 4, every call queued, released in turn) to show the
 * cost per queued call stays flat as the queue grows (fairness scan is linear in waiters that share a key).
 *
 * `BENCH_RATE_LIMIT_CALLS` (default 50 000) sets the calls per uncontended row.
 */
import { createRateLimiter } from '../providers/layer/rate-limit/index.js';

const calls = Number(process.env.BENCH_RATE_LIMIT_CALLS ?? 50_000);
const request = { provider: 'openai', model: 'gpt-4o-mini', estimatedTokens: 500 };

async function timePerCall(label: string, count: number, body: () => Promise<void>): Promise<number> {
  for (let index = 0; index < Math.min(2000, count); index++) await body(); // warm-up
  const started = performance.now();
  for (let index = 0; index < count; index++) await body();
  const perCallUs = ((performance.now() - started) * 1000) / count;
  console.log(`${label.padEnd(44)} ${perCallUs.toFixed(2).padStart(8)} µs/call`);
  return perCallUs;
}

const baseline = await timePerCall('baseline: await a resolved promise', calls, async () => {
  await Promise.resolve({ release() {} });
});
const unlimited = createRateLimiter();
const none = await timePerCall('acquire+release, no limits', calls, async () => {
  (await unlimited.acquire(request)).release({ totalTokens: 400 });
});
const generous = createRateLimiter({ limits: { openai: { rpm: 100_000_000, tpm: 10_000_000_000, concurrency: 1000 }, 'openai/gpt-4o-mini': { concurrency: 1000 } } });
const limited = await timePerCall('acquire+release, rpm/tpm/concurrency set', calls, async () => {
  (await generous.acquire(request)).release({ totalTokens: 400 });
});
console.log(`ratio to baseline: no limits ${(none / baseline).toFixed(1)}×, with limits ${(limited / baseline).toFixed(1)}×`);

for (const queued of [100, 1000, 5000]) {
  const limiter = createRateLimiter({ limits: { openai: { concurrency: 4, max_queue: 100_000 }, 'openai/gpt-4o-mini': { max_queue: 100_000 } } });
  const started = performance.now();
  const permits = await Promise.all(Array.from({ length: 4 }, () => limiter.acquire(request)));
  const waiting = Array.from({ length: queued }, () => limiter.acquire(request).then((permit) => permit.release()));
  for (const permit of permits) permit.release();
  await Promise.all(waiting);
  const perCallUs = ((performance.now() - started) * 1000) / queued;
  console.log(`${`contended: ${queued} queued behind concurrency 4`.padEnd(44)} ${perCallUs.toFixed(2).padStart(8)} µs/call`);
}
