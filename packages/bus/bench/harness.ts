// A small benchmark harness: each case runs in the same process, after a warm-up, several
// rounds; the median rate is reported. Used with a baseline case in the same run.
import { performance } from 'node:perf_hooks';

export interface BenchResult {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly nsPerOp: number;
}

/** Run `body(n)` (which performs n operations and returns a checksum) and report its median rate. */
export function measure(name: string, ops: number, body: (n: number) => number, rounds = 7): BenchResult {
  let sink = 0;
  for (let i = 0; i < 3; i++) sink ^= body(Math.floor(ops / 4));
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    sink ^= body(ops);
    const t1 = performance.now();
    rates.push(ops / ((t1 - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  const opsPerSecond = rates[Math.floor(rates.length / 2)]!;
  if (sink === 0.5) console.log('unreachable', sink); // keep the checksum alive
  return { name, opsPerSecond, nsPerOp: 1e9 / opsPerSecond };
}

export function report(title: string, results: readonly BenchResult[], baseline: BenchResult): void {
  console.log(`\n${title}`);
  for (const r of results) {
    const ratio = baseline.opsPerSecond / r.opsPerSecond;
    console.log(
      `  ${r.name.padEnd(52)} ${(r.opsPerSecond / 1e6).toFixed(1).padStart(8)} M ops/s  ${r.nsPerOp.toFixed(2).padStart(6)} ns/op  ${r === baseline ? '(baseline)' : `${ratio.toFixed(2)}x baseline time`}`,
    );
  }
}
