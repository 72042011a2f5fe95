import type { CliIo } from './commands';

/** Redraw at most this often (host time). */
const REDRAW_MS = 100;
/** Work that ends sooner than this draws nothing (unless the caller says otherwise). */
export const PROGRESS_DELAY_MS = 1000;

/** One progress bar on standard error; `update(done)` as work advances, `end()` when it stops. */
export interface Progress {
  update(done: number): void;
  end(): void;
}

const NONE: Progress = { update() {}, end() {} };

/**
 * A progress bar on standard error for work of `total` units, drawn only when standard error is
 * a terminal and only once the work has taken `delayMs` of host time (default: one second; the
 * CLI's own option `io.progressDelayMs` overrides it), so short work and pipes stay quiet.
 * `describe(done, total)` gives the text after the percentage.
 */
export function progress(io: CliIo, label: string, total: number, describe: (done: number, total: number) => string, delayMs?: number): Progress {
  if (!io.errIsTTY || !(total > 0)) return NONE;
  const start = Date.now();
  const delay = delayMs ?? io.progressDelayMs ?? PROGRESS_DELAY_MS;
  let last = -Infinity;
  let drawn = false;
  return {
    update(done) {
      const t = Date.now();
      if (t - start < delay || t - last < REDRAW_MS) return;
      last = t;
      drawn = true;
      const f = Math.min(1, Math.max(0, done / total));
      const width = 30;
      const filled = Math.round(f * width);
      io.err(`\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(f * 100).toFixed(0).padStart(3)}%  ${describe(done, total)}`);
    },
    end() {
      if (drawn) io.err('\r\x1b[K');
    },
  };
}

export const mib = (bytes: number) => `${(bytes / (1 << 20)).toFixed(1)} MiB`;
