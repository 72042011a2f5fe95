// Shared benchmark harness for the packages' bench/ scripts: each case runs in the same process after a warm-up, for several rounds;
// the median rate is reported next to a baseline measured in the same run.
import { performance } from 'node:perf_hooks';

export interface BenchResult {
  readonly name: string;
  readonly opsPerSecond: number;
}

/** Run `body(n)` (n operations, returning a checksum) and report its median rate. */
export function measure(name: string, ops: number, body: (n: number) => number, rounds = 7): BenchResult {
  let sink = 0;
  for (let i = 0; i < 3; i++) sink ^= body(Math.floor(ops / 4));
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    sink ^= body(ops);
    rates.push(ops / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  if (sink === 0.5) console.log('unreachable');
  return { name, opsPerSecond: rates[Math.floor(rates.length / 2)]! };
}

export function report(title: string, results: readonly BenchResult[], baseline: BenchResult): void {
  console.log(`\n${title}`);
  for (const r of results) {
    const ratio = baseline.opsPerSecond / r.opsPerSecond;
    console.log(
      `  ${r.name.padEnd(60)} ${(r.opsPerSecond / 1e6).toFixed(2).padStart(8)} M ops/s  ${(1e9 / r.opsPerSecond).toFixed(1).padStart(7)} ns/op  ${r === baseline ? '(baseline)' : `${ratio.toFixed(2)}x`}`,
    );
  }
}
