/**
 * Runs every benchmark in turn (`npm run bench`). Benchmarks are not tests: they print numbers
 * and ratios against baselines measured in the same process.
 */
const benchmarks = ['./engine-throughput.js', './audit-store.js', './providers-overhead.js', './llm-layer.js', './cost.js'];
for (const benchmark of benchmarks) {
  console.log(`\n## ${benchmark}`);
  await import(benchmark);
}
