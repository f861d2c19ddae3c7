/**
 * Runs every benchmark in turn (`npm run bench`). Benchmarks are not tests: they print numbers
 * and ratios against baselines measured in the same process.
 */
const benchmarks = [
  './cli-startup.js',
  './engine-throughput.js',
  './audit-store.js',
  './providers-overhead.js',
  './llm-layer.js',
  './streams.js',
  './cache.js',
  './cost.js',
  './safety.js',
  './file-steps.js',
];
for (const benchmark of benchmarks) {
  console.log(`\n## ${benchmark}`);
  await import(benchmark);
}
