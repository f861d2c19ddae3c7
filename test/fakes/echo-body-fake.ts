/**
 * A server that answers every request with 200 and the next queued body, written chunk by chunk
 * exactly as given: for fuzzing adapters with arbitrary (hostile) bytes under their real headers.
 */
import { createServer } from 'node:http';
import { listenOnLoopback } from './loopback.js';

/** A running echo-body server. */
export interface EchoBodyFake {
  url: string;
  /** The body of the next response, as the chunks to write. */
  setBody(chunks: Uint8Array[], contentType: string): void;
  close(): Promise<void>;
}

/** Starts the server on an ephemeral loopback port. */
export async function startEchoBodyFake(): Promise<EchoBodyFake> {
  let body: Uint8Array[] = [];
  let contentType = 'text/event-stream';
  const server = createServer((incoming, response) => {
    incoming.resume();
    const chunks = body;
    response.writeHead(200, { 'content-type': contentType });
    response.flushHeaders();
    void (async () => {
      for (const chunk of chunks) {
        if (response.destroyed) return;
        response.write(chunk);
        // Let each chunk reach the client on its own, as separate network reads.
        await new Promise((resolve) => setImmediate(resolve));
      }
      response.end();
    })();
  });
  const loopback = await listenOnLoopback(server);
  return {
    url: loopback.url,
    setBody(chunks, type) {
      body = chunks;
      contentType = type;
    },
    close: () => loopback.close(),
  };
}
