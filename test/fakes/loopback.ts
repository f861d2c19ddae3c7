/**
 * Listening on loopback for the test servers: an ephemeral port on 127.0.0.1, and a close that
 * destroys open (keep-alive) connections first, so it never waits for a client to let go.
 */
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A server listening on loopback. */
export interface Loopback {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Destroys every open connection, then closes the server. */
  close(): Promise<void>;
}

/** Starts `server` on an ephemeral loopback port, tracking its connections for {@link Loopback.close}. */
export async function listenOnLoopback(server: Server): Promise<Loopback> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
