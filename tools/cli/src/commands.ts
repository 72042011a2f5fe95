/** A CLI command: `run` returns the process exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(args: readonly string[], io: CliIo): Promise<number> | number;
}

/** Where a command writes (the real process, or a test's buffers). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Binary data to standard output (a migration stream), resolved when it may continue. */
  outBytes?(chunk: Uint8Array): Promise<void>;
  /** Standard input as binary chunks (a migration stream from a pipe). */
  stdin?(): AsyncIterable<Uint8Array>;
  /** Whether standard error is a terminal (progress bars are drawn only then). */
  readonly errIsTTY?: boolean;
  /** Host time (ms) work must take before its progress bar appears (default 1000; 0 in tests). */
  readonly progressDelayMs?: number;
}

/** Documented exit codes. */
export const ExitCode = {
  Ok: 0,
  /** The command ran and found a failure (a test failed, a check found a breaking change). */
  Failure: 1,
  /** The command line was wrong (unknown command or option, missing argument). */
  Usage: 2,
  /** An input could not be used (missing file, corrupt or refused data). */
  BadInput: 3,
} as const;
