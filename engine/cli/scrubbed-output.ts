/**
 * The CLI's last line of defence for credentials: everything it writes to stdout and stderr
 * (summaries, `--json` results, `audit show` of older runs, error messages) and every log line
 * passes through the scrubber built from the process environment at start.
 */
import { createCredentialScrubber, type CredentialScrubber } from '../credential-scrubber.js';

let scrubber: CredentialScrubber | undefined;

/** The scrubber of this process's environment (collected once, at first use). */
export function processScrubber(): CredentialScrubber {
  scrubber ??= createCredentialScrubber(process.env);
  return scrubber;
}

type Write = typeof process.stdout.write;

function scrubbingWrite(stream: NodeJS.WriteStream): void {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  const scrub = processScrubber();
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk === 'string') return original(scrub.text(chunk), ...rest);
    if (chunk instanceof Uint8Array) return original(scrub.text(Buffer.from(chunk).toString('utf8')), ...rest);
    return original(chunk, ...rest);
  };
  stream.write = write as Write;
}

/** Routes stdout and stderr writes through the scrubber (once per process). */
export function installOutputScrubbing(): void {
  if (processScrubber().secrets.length === 0) return;
  scrubbingWrite(process.stdout);
  scrubbingWrite(process.stderr);
}
