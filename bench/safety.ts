/**
 * Content-safety cost: scan throughput (MB/s) of the default policy against a one-regex baseline
 * in the same run, the latency a typical 2 KB prompt adds (all messages scanned, median and p99),
 * and the streaming hold-back scanner's cost per chunk against a pass-through.
 *
 * `BENCH_SAFETY_MB` (default 2) sets the size of the throughput text.
 */
import { performance } from 'node:perf_hooks';
import { compileSafetyPolicy } from '../providers/layer/safety/policy.js';
import { scanMessages } from '../providers/layer/safety/input-scan.js';
import { scanText } from '../providers/layer/safety/scanner.js';
import { StreamScanner } from '../providers/layer/safety/stream-scanner.js';
import type { LlmMessage } from '../providers/types.js';

const megabytes = Number(process.env.BENCH_SAFETY_MB ?? 2);

const prose = [
  'The quarterly report shows revenue grew 12 percent while costs stayed flat across all regions.',
  'Please review the attached design document and leave comments by Thursday afternoon.',
  'Order 48213377 shipped on 2024-03-11T09:15:00Z and should arrive within five business days.',
  'The build failed at commit 3f786850e387550fdab836ed7e6dc881de23001b because of a missing import.',
  'We measured latency at the 99th percentile and found the cache hit ratio was 0.93 overall.',
  'Can you summarise the main risks in the migration plan and suggest two mitigations for each?',
  'function add(a, b) { return a + b; } // simple helper used in the billing module',
  'Customer asked about their invoice INV-2024-00813 and the refund policy for damaged goods.',
];
const findingsText = ['Contact jane.roe@example.org for access.', 'Call +44 20 7946 0958 tomorrow.', `token ghp_${'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'} leaked`];

function buildText(targetChars: number, withFindings: boolean): string {
  const parts: string[] = [];
  let length = 0;
  for (let index = 0; length < targetChars; index++) {
    const sentence = withFindings && index % 25 === 24 ? findingsText[index % findingsText.length]! : prose[index % prose.length]!;
    parts.push(sentence);
    length += sentence.length + 1;
  }
  return parts.join(' ').slice(0, targetChars);
}

function time(run: () => void, iterations: number): number[] {
  const samples: number[] = [];
  for (let index = 0; index < iterations; index++) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  return samples.sort((left, right) => left - right);
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const micros = (milliseconds: number): string => `${(milliseconds * 1000).toFixed(1)} µs`;

const policy = compileSafetyPolicy({ max_scan_chars: 100_000_000 });
const big = buildText(megabytes * 1024 * 1024, true);
scanText(policy, big.slice(0, 100_000));

// Throughput: the whole policy against one regex pass over the same text.
const baselinePattern = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const baseline = time(() => void big.match(baselinePattern), 3)[1]!;
const full = time(() => void scanText(policy, big), 3)[1]!;
const sizeMb = big.length / (1024 * 1024);
console.log(`scan throughput (default policy, ${policy.rules.length} rules, ${sizeMb.toFixed(1)} MB text with findings): ${(sizeMb / (full / 1000)).toFixed(1)} MB/s`);
console.log(`  baseline, one e-mail regex over the same text: ${(sizeMb / (baseline / 1000)).toFixed(1)} MB/s (the policy costs ${(full / baseline).toFixed(1)}× one regex)`);

// Added latency: a typical 2 KB prompt (system + user + a tool result), every message scanned.
for (const [label, withFindings] of [['no findings', false], ['3 findings', true]] as const) {
  const user = buildText(1400, false) + (withFindings ? ` ${findingsText.join(' ')}` : '');
  const messages: LlmMessage[] = [
    { role: 'system', content: 'You are a careful assistant for the finance team. Answer briefly and cite the documents.' },
    { role: 'user', content: user },
    { role: 'tool', toolCallId: 'call_1', toolName: 'search', content: buildText(500, false) },
  ];
  const size = messages.reduce((total, message) => total + (typeof message.content === 'string' ? message.content.length : 0), 0);
  time(() => void scanMessages(policy, messages), 200);
  const samples = time(() => void scanMessages(policy, messages), 2000);
  console.log(`input scan of a ${(size / 1024).toFixed(1)} KB prompt (${label}): median ${micros(quantile(samples, 0.5))}, p99 ${micros(quantile(samples, 0.99))}`);
}

// Streaming: cost per chunk of the hold-back scanner against passing chunks through.
const answer = buildText(200_000, true);
for (const chunkSize of [4, 20, 100]) {
  const chunks = answer.match(new RegExp(`[\\s\\S]{1,${chunkSize}}`, 'g'))!;
  const passThrough = time(() => {
    let out = '';
    for (const chunk of chunks) out += chunk;
    void out;
  }, 5)[2]!;
  const scanned = time(() => {
    const scanner = new StreamScanner(policy);
    let out = '';
    for (const chunk of chunks) out += scanner.push(chunk).text;
    out += scanner.flush().text;
  }, 5)[2]!;
  console.log(`stream scan, ${chunkSize}-char chunks: ${micros((scanned - passThrough) / chunks.length)} per chunk over pass-through (${chunks.length} chunks; hold-back ${policy.holdBack} chars)`);
}
