/**
 * `mission safety scan [file|-] [--policy file] [--level L] [--json | --jsonl]`: runs the content
 * safety policy over a text (or, with `--jsonl`, over JSON Lines `{"id", "text"}`) and prints what
 * it finds. Exit 0 when nothing is blocked, 1 when an input would be blocked, 2 on bad usage.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { mergeSafetyConfigs, type SafetyConfig, type SafetyLevel } from '../../providers/layer/safety/config.js';
import { SafetyConfigError, SafetyInputTooLargeError } from '../../providers/layer/safety/errors.js';
import { compileSafetyPolicy, type SafetyPolicy } from '../../providers/layer/safety/policy.js';
import { scanText } from '../../providers/layer/safety/scanner.js';
import type { SafetyFinding } from '../../providers/layer/safety/types.js';
import { CliExit, ExitCode } from './cli-context.js';
import { loadSafetyPolicyFile } from './safety-policy-file.js';

/** Options of `safety scan`. */
export interface SafetyScanOptions {
  policy?: string;
  level?: string;
  json?: boolean;
  jsonl?: boolean;
}

const levels: SafetyLevel[] = ['strict', 'moderate', 'permissive'];

function publicFinding(finding: SafetyFinding) {
  return { rule: finding.rule, category: finding.category, start: finding.start, end: finding.end, action: finding.action, reason: finding.reason };
}

function compilePolicy(options: SafetyScanOptions): SafetyPolicy {
  if (options.level !== undefined && !levels.includes(options.level as SafetyLevel)) {
    throw new CliExit(ExitCode.invalid, `--level ${options.level}: use one of ${levels.join(', ')}`);
  }
  const fromFile: SafetyConfig | undefined = options.policy ? loadSafetyPolicyFile(options.policy) : undefined;
  try {
    return compileSafetyPolicy(mergeSafetyConfigs(fromFile, options.level ? { level: options.level as SafetyLevel } : undefined));
  } catch (error) {
    if (error instanceof SafetyConfigError) throw new CliExit(ExitCode.invalid, `${options.policy ?? '--level'}: ${error.message}`);
    throw error;
  }
}

function inputStream(source: string | undefined): Readable {
  if (source === undefined || source === '-') return process.stdin;
  try {
    if (!statSync(source).isFile()) throw new CliExit(ExitCode.invalid, `${source} is not a file`);
  } catch (error) {
    if (error instanceof CliExit) throw error;
    throw new CliExit(ExitCode.invalid, `cannot read ${source} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return createReadStream(source);
}

/** Reads a whole stream, refusing more than `limit` characters' worth of bytes. */
async function readAll(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).byteLength;
    // UTF-8 takes at least one byte per UTF-16 unit, so bytes bound characters from above... and
    // four bytes at most per code point: refuse early only when even that cannot fit.
    if (size > limit * 4) throw new SafetyInputTooLargeError(size, limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs `safety scan`. */
export async function runSafetyScan(source: string | undefined, options: SafetyScanOptions): Promise<void> {
  if (options.json && options.jsonl) throw new CliExit(ExitCode.invalid, '--json and --jsonl cannot be used together');
  const policy = compilePolicy(options);
  const stream = inputStream(source);
  if (options.jsonl) return scanLines(policy, stream);
  let text: string;
  let result;
  try {
    text = await readAll(stream, policy.maxScanChars);
    result = scanText(policy, text, 'input');
  } catch (error) {
    if (error instanceof SafetyInputTooLargeError) throw new CliExit(ExitCode.invalid, `${error.code}: ${error.message}`);
    throw error;
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ action: result.action, findings: result.findings.map(publicFinding), redacted: result.redacted })}\n`);
  } else {
    for (const finding of result.findings) process.stdout.write(`${finding.action.padEnd(6)} ${finding.rule} at ${finding.start}-${finding.end}: ${finding.reason}\n`);
    process.stdout.write(`${result.findings.length === 0 ? 'no findings' : `${result.findings.length} finding${result.findings.length === 1 ? '' : 's'}`}; action: ${result.action}\n`);
  }
  process.exitCode = result.action === 'block' ? ExitCode.failed : ExitCode.succeeded;
}

/** Writes output in batches: one write per line would dominate the time of 10,000 short texts. */
function batchedWriter(): { write(line: string): void; flush(): void } {
  let buffer: string[] = [];
  let size = 0;
  const flush = (): void => {
    if (buffer.length > 0) process.stdout.write(buffer.join(''));
    buffer = [];
    size = 0;
  };
  return {
    write(line) {
      buffer.push(line);
      size += line.length;
      if (size > 64 * 1024) flush();
    },
    flush,
  };
}

async function scanLines(policy: SafetyPolicy, stream: Readable): Promise<void> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const out = batchedWriter();
  let blocked = false;
  let bad = 0;
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() === '') continue;
    let item: { id?: unknown; text?: unknown };
    try {
      if (line.length > policy.maxScanChars * 2) throw new Error(`line is over ${policy.maxScanChars * 2} characters`);
      item = JSON.parse(line) as { id?: unknown; text?: unknown };
      if (item === null || typeof item !== 'object' || typeof item.text !== 'string') throw new Error('expected an object with a string "text"');
    } catch (error) {
      bad++;
      process.stderr.write(`line ${number}: ${(error as Error).message}\n`);
      continue;
    }
    try {
      const result = scanText(policy, item.text as string, 'input');
      if (result.action === 'block') blocked = true;
      out.write(`${JSON.stringify({ id: item.id ?? null, action: result.action, findings: result.findings.map(publicFinding) })}\n`);
    } catch (error) {
      if (!(error instanceof SafetyInputTooLargeError)) throw error;
      bad++;
      process.stderr.write(`line ${number}: ${error.code}: ${error.message}\n`);
    }
  }
  out.flush();
  process.exitCode = bad > 0 ? ExitCode.invalid : blocked ? ExitCode.failed : ExitCode.succeeded;
}
