/**
 * LLM-layer overhead: CPU and wall time per call of our OpenAI adapter against the official openai
 * SDK and a bare undici `request()` (reading bytes only, and with the parsing every client must
 * do: the floor the ratios use), non-streamed and streamed, all against one local
 * fake server serving canned API bytes. The server runs in a child process, so the CPU measured
 * here (process.cpuUsage) is the client's alone. Then in-memory stream-parse throughput of our SSE
 * decoder and chunk mapping against the SDK's parser and a decode-split-JSON.parse baseline.
 *
 * `BENCH_LLM_CALLS` (default 1000) sets calls per client and mode.
 */
import { Agent } from 'undici';
import { closePools, configurePools } from '../providers/http.js';
import { createClients, type BenchClient } from './providers/http-clients.js';
import { measureParseThroughput, parseInput } from './providers/parse-throughput.js';
import { printTable } from './providers/table.js';
import { startChildServer, stopChildServer, type ChildServer } from './child-server.js';

const calls = Number(process.env.BENCH_LLM_CALLS ?? 1000);
const warmUpCalls = Math.max(50, Math.round(calls / 5));
/** Measured calls are split into interleaved rounds so that drift (GC, JIT, thermal, load) hits all clients alike. */
const rounds = 20;
const parseDeltas = 5000;

interface CallCost {
  cpuMicros: number;
  wallMicros: number;
  cpuPerFloor: number;
  wallPerFloor: number;
  cpuPerSdk: number;
  wallPerSdk: number;
}

async function startServer(): Promise<ChildServer> {
  return startChildServer(new URL('./providers/openai-fake-server.js', import.meta.url));
}

const stopServer = stopChildServer;

async function callMany(client: BenchClient, count: number): Promise<void> {
  for (let index = 0; index < count; index++) await client.call();
}

/**
 * Warms every client up, then times `calls` calls each, interleaved in rounds. Each client's cost
 * is its median over rounds, and each ratio the median of the ratios taken within one round, so
 * that a round slowed by a neighbour's load or a GC does not skew a whole row.
 */
async function measureClients(clients: BenchClient[], floorIndex: number, sdkIndex: number): Promise<CallCost[]> {
  for (const client of clients) {
    const got = await client.call();
    if (got !== client.expected) throw new Error(`${client.name} returned ${JSON.stringify(got).slice(0, 80)}…, not the canned answer`);
    await callMany(client, warmUpCalls);
  }
  const perRound = Math.ceil(calls / rounds);
  const samples: { cpu: number; wall: number }[][] = [];
  for (let round = 0; round < rounds; round++) {
    const costs: { cpu: number; wall: number }[] = [];
    for (const client of clients) {
      const cpuStart = process.cpuUsage();
      const wallStart = performance.now();
      await callMany(client, perRound);
      const cpu = process.cpuUsage(cpuStart);
      costs.push({ cpu: (cpu.user + cpu.system) / perRound, wall: ((performance.now() - wallStart) * 1000) / perRound });
    }
    samples.push(costs);
  }
  return clients.map((_client, index) => {
    const of = (pick: (round: { cpu: number; wall: number }[]) => number): number => median(samples.map(pick));
    return {
      cpuMicros: of((round) => round[index].cpu),
      wallMicros: of((round) => round[index].wall),
      cpuPerFloor: of((round) => round[index].cpu / round[floorIndex].cpu),
      wallPerFloor: of((round) => round[index].wall / round[floorIndex].wall),
      cpuPerSdk: of((round) => round[index].cpu / round[sdkIndex].cpu),
      wallPerSdk: of((round) => round[index].wall / round[sdkIndex].wall),
    };
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const micros = (value: number): string => value.toFixed(1);
const ratio = (value: number): string => `${value.toFixed(2)}x`;

async function httpOverhead(): Promise<void> {
  const { child, port } = await startServer();
  configurePools({ connections: 16 });
  const agent = new Agent({ connections: 16, keepAliveTimeout: 30_000 });
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  const rows: string[][] = [];
  try {
    for (const streamed of [false, true]) {
      const clients = createClients(baseUrl, streamed, agent);
      // Table order is adapter, SDK, bare, bare + parse (the floor the ratios are taken against).
      const costs = await measureClients(clients, 3, 1);
      for (const [index, cost] of costs.entries()) {
        rows.push([
          streamed ? 'streamed' : 'non-streamed',
          clients[index].name,
          micros(cost.cpuMicros),
          micros(cost.wallMicros),
          ratio(cost.cpuPerSdk),
          ratio(cost.cpuPerFloor),
          ratio(cost.wallPerSdk),
          ratio(cost.wallPerFloor),
        ]);
      }
    }
  } finally {
    await stopServer(child);
    await agent.close();
    await closePools();
  }
  console.log(`HTTP round trips: ${calls} sequential calls per row after ${warmUpCalls} warm-up calls; fake server in a child process (its CPU excluded)`);
  console.log('×floor: against bare undici + the work every client must do (serialize the request; JSON.parse the body, or split SSE frames and JSON.parse each); matched 16-connection pools');
  printTable(['mode', 'client', 'CPU µs/call', 'wall µs/call', 'CPU ×SDK', 'CPU ×floor', 'wall ×SDK', 'wall ×floor'], rows, 2);
}

async function parseOverhead(): Promise<void> {
  const input = parseInput(parseDeltas);
  const results = await measureParseThroughput(input, 1500);
  const [baseline] = results;
  const sdk = results[results.length - 1];
  console.log(`\nStream parse in memory: ${input.frames} SSE frames, ${(input.bytes / 1e6).toFixed(2)} MB, ${input.slices.length} slices of 16 KiB`);
  printTable(
    ['parser', 'MB/s', 'µs/frame', '×baseline time', '×SDK time'],
    results.map((result) => [
      result.name,
      result.megabytesPerSecond.toFixed(1),
      result.microsPerFrame.toFixed(2),
      ratio(baseline.megabytesPerSecond / result.megabytesPerSecond),
      ratio(sdk.megabytesPerSecond / result.megabytesPerSecond),
    ]),
  );
}

await httpOverhead();
await parseOverhead();
