/**
 * What the LLM layer adds to a call: a bare undici request (the floor) vs the OpenAI adapter vs the
 * full layer (routing, retry machine, circuit breaker, deadlines, an audit sink), at concurrency 1,
 * 100 and 1,000, non-streamed and streamed, against an instant fake in a child process. Reports
 * per-call latency p50/p99, calls/s, and the layer's added latency over the bare adapter. Then the
 * cost of advancing the call machine with `transition()` against running an XState actor per call.
 *
 * `BENCH_LAYER_CALLS` (default 2000) sets the calls per row (at least 3× the concurrency).
 */
import { Agent } from 'undici';
import { createActor } from 'xstate';
import { closePools, configurePools } from '../providers/http.js';
import { advanceCall, callMachine, startCall } from '../providers/layer/call-machine.js';
import { createLayerClients, sinkCounter, type LayerBenchClient } from './layer/layer-clients.js';
import { printTable } from './providers/table.js';
import { startChildServer, stopChildServer, type ChildServer } from './child-server.js';

const baseCalls = Number(process.env.BENCH_LAYER_CALLS ?? 2000);
const concurrencies = [1, 100, 1000];
const rounds = 3;

async function startServer(): Promise<ChildServer> {
  return startChildServer(new URL('./providers/openai-fake-server.js', import.meta.url));
}

const stopServer = stopChildServer;

/** Runs `count` calls, `concurrency` at a time; returns each call's latency (µs) and the elapsed time (ms). */
async function run(client: LayerBenchClient, count: number, concurrency: number): Promise<{ latencies: number[]; elapsedMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const started = performance.now();
      await client.call();
      latencies.push((performance.now() - started) * 1000);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { latencies, elapsedMs: performance.now() - started };
}

function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
}

interface RowResult {
  p50: number;
  p99: number;
  callsPerSecond: number;
}

async function measure(clients: LayerBenchClient[], concurrency: number): Promise<RowResult[]> {
  const count = Math.max(baseCalls, concurrency * 3);
  for (const client of clients) {
    const got = await client.call();
    if (got !== client.expected) throw new Error(`${client.name} returned ${JSON.stringify(got).slice(0, 80)}…, not the canned answer`);
    await run(client, Math.min(count, 500), concurrency);
  }
  const latencies = clients.map((): number[] => []);
  const elapsed = clients.map(() => 0);
  const perRound = Math.ceil(count / rounds);
  // Interleaved rounds, so drift (GC, JIT, the other engineers' load) hits every client alike.
  for (let round = 0; round < rounds; round++) {
    for (const [index, client] of clients.entries()) {
      const result = await run(client, perRound, concurrency);
      latencies[index].push(...result.latencies);
      elapsed[index] += result.elapsedMs;
    }
  }
  return latencies.map((values, index) => {
    const sorted = values.sort((left, right) => left - right);
    return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), callsPerSecond: (sorted.length / elapsed[index]) * 1000 };
  });
}

const ms = (micros: number): string => (micros / 1000).toFixed(3);
const signedMs = (micros: number): string => `${micros >= 0 ? '+' : ''}${(micros / 1000).toFixed(3)}`;

async function layerOverhead(): Promise<void> {
  configurePools({ connections: 64 });
  const { child, port } = await startServer();
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  const rows: string[][] = [];
  try {
    for (const streamed of [false, true]) {
      for (const concurrency of concurrencies) {
        const clients = createLayerClients(baseUrl, streamed, agent);
        const results = await measure(clients, concurrency);
        const adapter = results[1];
        for (const [index, result] of results.entries()) {
          rows.push([
            streamed ? 'streamed' : 'non-streamed',
            String(concurrency),
            clients[index].name,
            ms(result.p50),
            ms(result.p99),
            result.callsPerSecond.toFixed(0),
            index === 2 ? signedMs(result.p50 - adapter.p50) : '',
            index === 2 ? signedMs(result.p99 - adapter.p99) : '',
          ]);
        }
      }
    }
  } finally {
    await stopServer(child);
    await agent.close();
    await closePools();
  }
  console.log(`LLM layer overhead: ≥${baseCalls} calls per row (3 interleaved rounds, after warm-up); fake server in a child process; 64 connections; audit records seen: ${sinkCounter.records}`);
  printTable(['mode', 'conc.', 'client', 'p50 ms', 'p99 ms', 'calls/s', 'layer +p50 ms', 'layer +p99 ms'], rows, 3);
}

function machineCost(): void {
  const iterations = 100_000;
  const failed = { type: 'attempt.failed' as const, retryable: true, rateLimited: false, failoverable: false, final: false, budgetExhausted: false, delayMs: 10, circuitOpen: false, preferFailover: false, maxAttempts: 3 };
  const time = (body: () => void): number => {
    for (let index = 0; index < 5_000; index++) body();
    const started = performance.now();
    for (let index = 0; index < iterations; index++) body();
    return ((performance.now() - started) * 1000) / iterations;
  };
  const transitionSuccess = time(() => void advanceCall(startCall(2), { type: 'attempt.succeeded' }));
  const transitionRetry = time(() => void advanceCall(advanceCall(advanceCall(startCall(2), failed), { type: 'backoff.elapsed' }), { type: 'attempt.succeeded' }));
  const actorSuccess = time(() => {
    const actor = createActor(callMachine, { input: { targetCount: 2 } }).start();
    actor.send({ type: 'attempt.succeeded' });
    actor.stop();
  });
  console.log(`\nCall machine, µs per call (${iterations} calls)`);
  printTable(
    ['how', 'µs/call'],
    [
      ['transition(): start + success', transitionSuccess.toFixed(2)],
      ['transition(): start + retry + success', transitionRetry.toFixed(2)],
      ['actor per call: start + success', actorSuccess.toFixed(2)],
    ],
  );
}

await layerOverhead();
machineCost();
