/**
 * Per-chunk overhead of the layer against the adapter alone: one long stream from the stream
 * server, consumed as fast as possible. A tap inside the adapter stamps each network chunk's
 * events as they are emitted; the consumer notes when the chunk's last event reaches it. The
 * latency of a chunk is that span: about zero when the adapter's Observable is consumed
 * directly, and the cost of the layer's stages and the pull form's hand-off otherwise.
 */
import { Observable } from 'rxjs';
import { createOpenAIAdapter } from '../../providers/adapters/openai.js';
import { createLlm } from '../../providers/layer/create-llm.js';
import { pullEvents } from '../../providers/layer/stream/pull-events.js';
import type { CallOptions, LlmEvent, LlmRequest, ProviderAdapter } from '../../providers/types.js';

/** Latency percentiles of one way of consuming, in microseconds per chunk. */
export interface ChunkLatency {
  name: string;
  chunks: number;
  p50Micros: number;
  p99Micros: number;
}

interface Stamps {
  chunkOf: number[];
  firstStamp: number[];
}

/** Wraps an adapter so that every text delta is stamped with its network chunk and emission time. */
function tapped(adapter: ProviderAdapter, stamps: Stamps): ProviderAdapter {
  let inChunk = false;
  return {
    id: adapter.id,
    stream: (request: LlmRequest, options?: CallOptions) =>
      new Observable<LlmEvent>((subscriber) =>
        adapter.stream(request, options).subscribe({
          next: (event) => {
            if (event.type === 'text-delta') {
              if (!inChunk) {
                // Events of one network chunk are emitted synchronously: a microtask ends the chunk.
                inChunk = true;
                stamps.firstStamp.push(performance.now());
                queueMicrotask(() => (inChunk = false));
              }
              stamps.chunkOf.push(stamps.firstStamp.length - 1);
            }
            subscriber.next(event);
          },
          error: (error) => subscriber.error(error),
          complete: () => subscriber.complete(),
        }),
      ),
  };
}

function percentiles(name: string, stamps: Stamps, received: number[]): ChunkLatency {
  const lastReceipt = new Map<number, number>();
  received.forEach((at, index) => lastReceipt.set(stamps.chunkOf[index], at));
  const latencies = [...lastReceipt.entries()].map(([chunk, at]) => (at - stamps.firstStamp[chunk]) * 1000).sort((left, right) => left - right);
  const at = (share: number): number => latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))];
  return { name, chunks: latencies.length, p50Micros: at(0.5), p99Micros: at(0.99) };
}

/** Measures the three ways of consuming one stream of the server at `origin`. */
export async function measureChunkOverhead(origin: string): Promise<ChunkLatency[]> {
  const request: LlmRequest = { model: 'm', messages: [{ role: 'user', content: 'Stream.' }] };
  const results: ChunkLatency[] = [];
  const run = async (name: string, consume: (adapter: ProviderAdapter, onDelta: () => void) => Promise<void>): Promise<void> => {
    const stamps: Stamps = { chunkOf: [], firstStamp: [] };
    const received: number[] = [];
    const adapter = tapped(createOpenAIAdapter({ apiKey: 'sk-bench-0123456789', baseUrl: `${origin}/v1` }), stamps);
    await consume(adapter, () => received.push(performance.now()));
    results.push(percentiles(name, stamps, received));
  };
  for (let round = 0; round < 2; round++) {
    // The first round warms the JIT up; only the second is kept.
    results.length = 0;
    await run('adapter, Observable', (adapter, onDelta) =>
      new Promise<void>((resolve, reject) =>
        adapter.stream(request).subscribe({ next: (event) => event.type === 'text-delta' && onDelta(), error: reject, complete: resolve }),
      ),
    );
    await run('adapter + pullEvents', async (adapter, onDelta) => {
      for await (const event of pullEvents((options) => adapter.stream(request, options))) if (event.type === 'text-delta') onDelta();
    });
    await run('layer, llm.events()', async (adapter, onDelta) => {
      const llm = createLlm({ providers: { openai: adapter } });
      for await (const event of llm.events({ provider: 'openai', model: 'm', messages: request.messages })) if (event.type === 'text-delta') onDelta();
      llm.close();
    });
  }
  return results;
}
