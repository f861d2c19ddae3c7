/**
 * Benchmark servers run in child processes (`child_process.fork`), so the CPU a benchmark measures
 * is the client's alone: start one and wait for the port it reports, and stop it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A started server: its process and the loopback port it listens on. */
export interface ChildServer {
  child: ChildProcess;
  port: number;
}

/** Forks `moduleUrl` (a server that sends `{ port }` over IPC once it listens) with `args`. */
export async function startChildServer(moduleUrl: URL, args: string[] = []): Promise<ChildServer> {
  const child = fork(fileURLToPath(moduleUrl), args, { stdio: 'inherit' });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${moduleUrl.pathname} exited early (code ${code})`)));
  });
  return { child, port };
}

/** Disconnects the server (it exits when its parent goes) and waits for it to exit. */
export async function stopChildServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.disconnect();
  await exited;
}
