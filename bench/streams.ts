/**
 * Streams under load: N concurrent streams of D deltas each from a server in another process,
 * consumed 10× slower than produced, through (a) bare undici body streaming, (b) the layer's pull
 * form `llm.events()` and, for contrast, (c) the layer's Observable form with its events queued
 * and the adapters' transport alone (their response body read by (a)'s consumer).
 * Each client runs in its own child process for a clean RSS; the table gives peak RSS and heap,
 * and (b) against (a). Then the per-chunk overhead of the layer against the adapter alone.
 *
 * Flags: `--streams N` (default 100; the target is 1,000), `--deltas D` (default 2,000),
 * `--runs R` (default 3); or `BENCH_STREAMS` / `BENCH_STREAM_DELTAS` / `BENCH_STREAM_RUNS`.
 * A peak RSS moves by ±50 MB from one run to the next (it is live memory plus whatever garbage
 * the collector has not reclaimed yet), so each client runs R times, interleaved with the others,
 * and the tables give medians (and the range of peak RSS).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { closePools } from '../providers/http.js';
import { printTable } from './providers/table.js';
import { measureChunkOverhead } from './streams/chunk-overhead.js';
import type { StreamClientResult } from './streams/stream-client.js';
import { startChildServer, stopChildServer, type ChildServer } from './child-server.js';

function flag(name: string, environment: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index !== -1 ? process.argv[index + 1] : process.env[environment];
  const parsed = Number(value);
  return value !== undefined && Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

const streams = flag('streams', 'BENCH_STREAMS', 100);
const deltas = flag('deltas', 'BENCH_STREAM_DELTAS', 2000);
const runs = flag('runs', 'BENCH_STREAM_RUNS', 3);
/** Production: 10 deltas every 2 ms (2,000 deltas in 0.4 s). Consumption: 10 deltas every 20 ms, 10× slower. */
const batch = 10;
const produceIntervalMs = 2;
const consumeEvery = 10;
const consumeSleepMs = 20;
/** The overhead stream: 5 deltas a millisecond, so that network chunks stay small (a few deltas). */
const overheadDeltas = 6000;
const overheadBatch = 5;

async function startServer(args: number[]): Promise<ChildServer> {
  return startChildServer(new URL('./streams/stream-server.js', import.meta.url), args.map(String));
}

const stopServer = stopChildServer;

async function runClient(mode: string, port: number): Promise<StreamClientResult> {
  const script = fileURLToPath(new URL('./streams/stream-client.js', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', script, mode, String(port), String(streams), String(deltas), String(consumeEvery), String(consumeSleepMs)], {
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as StreamClientResult;
}

const megabytes = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

/** Runs every client `runs` times, interleaved, and gives each client's per-field medians and its peak-RSS range. */
async function runClients(modes: string[]): Promise<{ median: StreamClientResult; rssRange: string }[]> {
  const { child, port } = await startServer([deltas, batch, produceIntervalMs]);
  const results: StreamClientResult[][] = modes.map(() => []);
  try {
    for (let run = 0; run < runs; run++) {
      for (const [index, mode] of modes.entries()) results[index].push(await runClient(mode, port));
    }
  } finally {
    await stopServer(child);
  }
  return results.map((samples) => {
    const median = (pick: (result: StreamClientResult) => number): number => {
      const sorted = samples.map(pick).sort((left, right) => left - right);
      return sorted[Math.floor(sorted.length / 2)];
    };
    const rss = samples.map((result) => result.peakRssBytes);
    return {
      median: {
        mode: samples[0].mode,
        baselineRssBytes: median((result) => result.baselineRssBytes),
        baselineHeapBytes: median((result) => result.baselineHeapBytes),
        peakRssBytes: median((result) => result.peakRssBytes),
        peakHeapBytes: median((result) => result.peakHeapBytes),
        peakBufferBytes: median((result) => result.peakBufferBytes),
        deltas: samples[0].deltas,
        elapsedMs: median((result) => result.elapsedMs),
      },
      rssRange: `${megabytes(Math.min(...rss))}–${megabytes(Math.max(...rss))}`,
    };
  });
}

async function memoryUnderLoad(): Promise<void> {
  const results = await runClients(['undici', 'response-body', 'layer-pull', 'layer-observable']);
  const bare = results[0].median;
  console.log(
    `${streams} concurrent streams × ${deltas} deltas, produced ${batch} every ${produceIntervalMs} ms, consumed ${consumeEvery} every ${consumeSleepMs} ms (10× slower); each client in its own process; medians of ${runs} runs`,
  );
  printTable(
    ['client', 'peak RSS MB', 'range MB', 'RSS growth MB', 'peak heap MB', 'heap growth MB', 'peak buffers MB', 'RSS − bare MB', 'wall s'],
    results.map(({ median: result, rssRange }) => [
      result.mode,
      megabytes(result.peakRssBytes),
      rssRange,
      megabytes(result.peakRssBytes - result.baselineRssBytes),
      megabytes(result.peakHeapBytes),
      megabytes(result.peakHeapBytes - result.baselineHeapBytes),
      megabytes(result.peakBufferBytes),
      megabytes(result.peakRssBytes - bare.peakRssBytes),
      (result.elapsedMs / 1000).toFixed(1),
    ]),
  );
}

async function pausedStreams(): Promise<void> {
  const results = (await runClients(['undici-paused', 'layer-pull-paused', 'layer-observable-paused'])).map(({ median }) => median);
  const [bare] = results;
  const perStream = (bytes: number): string => (bytes / streams / 1024).toFixed(0);
  console.log(`\n${streams} streams whose consumers stop pulling after their first events: live memory after GC, 1.5 s later (medians of ${runs} runs)`);
  printTable(
    ['client', 'RSS MB', 'RSS growth MB', 'heap growth MB', 'buffers MB', 'growth KB/stream', 'RSS − bare MB'],
    results.map((result) => [
      result.mode.replace('-paused', ''),
      megabytes(result.peakRssBytes),
      megabytes(result.peakRssBytes - result.baselineRssBytes),
      megabytes(result.peakHeapBytes - result.baselineHeapBytes),
      megabytes(result.peakBufferBytes),
      perStream(result.peakRssBytes - result.baselineRssBytes),
      megabytes(result.peakRssBytes - bare.peakRssBytes),
    ]),
  );
}

async function chunkOverhead(): Promise<void> {
  const { child, port } = await startServer([overheadDeltas, overheadBatch, 1]);
  try {
    const results = await measureChunkOverhead(`http://127.0.0.1:${port}`);
    const [baseline] = results;
    console.log(`\nPer-chunk latency, one stream of ${overheadDeltas} deltas of ${overheadBatch} deltas a millisecond, consumed at full speed (emission of a chunk's first event → receipt of its last)`);
    printTable(
      ['consumer', 'chunks', 'p50 µs', 'p99 µs', 'p99 − adapter µs'],
      results.map((result) => [result.name, String(result.chunks), result.p50Micros.toFixed(1), result.p99Micros.toFixed(1), (result.p99Micros - baseline.p99Micros).toFixed(1)]),
    );
  } finally {
    await closePools();
    await stopServer(child);
  }
}

await memoryUnderLoad();
await pausedStreams();
await chunkOverhead();
