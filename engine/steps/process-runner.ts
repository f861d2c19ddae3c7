/**
 * Runs one program without a shell, capturing capped stdout/stderr, and stops the whole process
 * tree on timeout or abort: the child leads its own process group (`detached`), so a signal sent
 * to the group reaches grandchildren too; SIGTERM first, SIGKILL after a grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { startTimer } from '../timer.js';

/** What {@link runProcess} needs. */
export interface ProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Bytes kept per stream; the rest is read and dropped so the child never blocks on a full pipe. */
  maxOutputBytes: number;
  /** Stop the process after this long; absent = no limit of its own. */
  timeoutMs?: number;
  signal: AbortSignal;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /**
   * After the child exits, how long to wait for its output pipes to close. A background
   * grandchild that inherited them would otherwise hold the step open; it is killed instead.
   */
  drainMs?: number;
  /** Called once the child is running, with its pid (which is also its process group id). */
  onSpawn?: (pid: number) => void;
}

/** What happened to the process. */
export interface ProcessResult {
  /** Null when the process was ended by a signal. */
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  timedOut: boolean;
  aborted: boolean;
}

/** Collects at most `limit` bytes of a stream, noting whether more arrived. */
class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  attach(stream: Readable | null): void {
    stream?.on('data', (chunk: Buffer) => this.add(chunk));
  }

  private add(chunk: Buffer): void {
    const room = this.limit - this.kept;
    if (chunk.byteLength > room) this.truncated = true;
    if (room <= 0) return;
    const part = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(part);
    this.kept += part.byteLength;
  }

  /** The kept bytes as UTF-8; a character the cap cut in half is dropped, not shown as U+FFFD. */
  text(): string {
    const decoder = new StringDecoder('utf8');
    const text = decoder.write(Buffer.concat(this.chunks));
    return this.truncated ? text : text + decoder.end();
  }
}

/** Sends a signal to the child's whole process group; a group already gone is not an error. */
function signalTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Children still running, so that a process quitting at once can take their trees with it. */
const liveChildren = new Set<ChildProcess>();

/**
 * Kills the process tree of every command still running (SIGKILL). For a process about to exit
 * without waiting for its steps (a second Ctrl-C): their own process groups would outlive it.
 */
export function killAllProcessTrees(): void {
  for (const child of liveChildren) signalTree(child, 'SIGKILL');
  liveChildren.clear();
}

/**
 * Spawns `command` with `args` (no shell) and resolves when it has exited and its output is
 * collected. Rejects only when the process cannot be started (the error carries Node's `code`,
 * e.g. `ENOENT`).
 */
export function runProcess(options: ProcessOptions): Promise<ProcessResult> {
  const killGraceMs = options.killGraceMs ?? 2000;
  const drainMs = options.drainMs ?? 500;
  return new Promise<ProcessResult>((resolve, reject) => {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    liveChildren.add(child);
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    const stdout = new CappedBuffer(options.maxOutputBytes);
    const stderr = new CappedBuffer(options.maxOutputBytes);
    stdout.attach(child.stdout);
    stderr.attach(child.stderr);

    let timedOut = false;
    let aborted = false;
    let terminating = false;
    let settled = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const timers = new Set<() => void>();
    const later = (ms: number, action: () => void): void => {
      const cancel = startTimer(() => {
        timers.delete(cancel);
        action();
      }, ms);
      timers.add(cancel);
    };

    const terminate = (): void => {
      if (terminating) return;
      terminating = true;
      signalTree(child, 'SIGTERM');
      later(killGraceMs, () => signalTree(child, 'SIGKILL'));
    };
    const onAbort = (): void => {
      aborted = true;
      terminate();
    };

    const finish = (): void => {
      if (settled) return;
      settled = true;
      liveChildren.delete(child);
      for (const cancel of timers) cancel();
      options.signal.removeEventListener('abort', onAbort);
      // Whatever is still in the group after a requested stop is a straggler: no more grace.
      if (terminating) signalTree(child, 'SIGKILL');
      resolve({
        exitCode: exit?.code ?? null,
        exitSignal: exit?.signal ?? null,
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdoutTruncated: stdout.truncated,
        stderrTruncated: stderr.truncated,
        timedOut,
        aborted,
      });
    };

    child.once('error', (error) => {
      if (child.pid === undefined) {
        settled = true;
        liveChildren.delete(child);
        for (const cancel of timers) cancel();
        options.signal.removeEventListener('abort', onAbort);
        reject(error);
      }
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      later(drainMs, () => {
        // Output pipes still open after the child is gone: a background grandchild holds them.
        signalTree(child, 'SIGKILL');
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      });
    });
    child.once('close', (code, signal) => {
      exit ??= { code, signal };
      finish();
    });

    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      later(options.timeoutMs, () => {
        timedOut = true;
        terminate();
      });
    }
  });
}
