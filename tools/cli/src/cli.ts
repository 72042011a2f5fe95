#!/usr/bin/env node
import { main } from './main';

import type { CliIo } from './commands';

const io: CliIo = {
  out: (text: string) => void process.stdout.write(text),
  err: (text: string) => void process.stderr.write(text),
  outBytes: (chunk: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      process.stdout.write(chunk, (e) => (e ? reject(e) : resolve()));
    }),
  stdin: () => process.stdin,
  errIsTTY: process.stderr.isTTY === true,
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`backplane: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  },
);
