import { once } from 'node:events';
import { createReadStream, createWriteStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BlockError, OverlayImage, RawFileImage, type BlockDevice } from '@backplane/block';
import { BusError } from '@backplane/bus';
import {
  DEFAULT_MACHINE_TYPE,
  MACHINE_TYPES,
  MachineError,
  PcMachine,
  demoDiskImage,
  demoFloppyImage,
  memoryDisk,
  type CpuModelName,
  type MachineOptions,
} from '@backplane/machine-pc';
import { VmstateError } from '@backplane/vmstate';
import { ExitCode, type CliIo, type Command } from '../commands';
import { mib, progress } from '../progress';

const USAGE = `Usage: backplane run [options]

Boot a PC. With no disk options it boots the built-in demo (floppy and hard disk).

  --machine TYPE          machine type (${[...MACHINE_TYPES.keys()].join(', ')}; default ${DEFAULT_MACHINE_TYPE})
  --cpu MODEL             8086, 80186 or 80286 (default: the machine type's)
  --memory SIZE           RAM, e.g. 640K, 2M (default: the machine type's)
  --bios FILE             BIOS image (64 or 128 KiB) instead of the built-in one (SeaBIOS
                          needs an 80386: not in this build)
  --fda FILE, --fdb FILE  floppy images (160 KiB to 2.88 MiB)
  --hda FILE, --hdb FILE  hard-disk images on the primary ATA channel
  --cdrom FILE            ISO image in the secondary channel's CD-ROM drive
  --boot ORDER            letters a (floppy), c (hard disk), d (CD-ROM); default ac
  --write-through         write to the image files (default: writes go to an overlay in memory)
  --serial stdio|none|FILE  where COM1's output goes (default stdio)
  --screen                print the text screen when the run ends
  --max-instructions N    stop after N instructions
  --until TEXT            stop when the serial output or the screen contains TEXT
  --start-time ISO        RTC start time, e.g. 2026-01-01T00:00:00Z (default: the host's time)
  --json                  print a JSON report at the end (instructions, virtual time, stop reason, output)
  --save-at N             run to instruction N (of the machine's timeline), save, and stop
  --save FILE|-           save the machine to FILE (or standard output) when the run stops
  --load FILE|-           start from a saved machine (FILE or standard input); give the same
                          machine options and disks as the saving side (the stream refers to the
                          disks and carries their overlays: a load with other images is refused)

On a terminal, standard error shows progress bars for runs of 50M instructions or more, and for
saving or loading that takes over a second; nothing is drawn when standard error is not a terminal.

Exit codes: 0 the run ended (halted, budget, --until), 1 the guest used something not emulated,
2 bad command line, 3 unusable input (missing file, bad image size, unknown machine type).`;

class UsageError extends Error {}
class InputError extends Error {}

function parseSize(text: string): number {
  const m = /^(\d+)\s*([KkMm]?)(i?[Bb])?$/.exec(text.trim());
  if (!m) throw new UsageError(`--memory: "${text}" is not a size like 640K or 16M`);
  const n = Number(m[1]);
  return m[2]!.toUpperCase() === 'M' ? n * 1024 : n;
}

function parseCount(name: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name}: "${text}" is not a whole number`);
  return Number(text);
}

function openImage(path: string, writeThrough: boolean): BlockDevice {
  const file = RawFileImage.open(path, { readOnly: !writeThrough });
  return writeThrough ? file : new OverlayImage(file, { name: `${path} (overlay)` });
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Boot a PC (no options: the built-in demo)',
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    let values;
    try {
      values = parseArgs({
        args: [...args],
        strict: true,
        allowPositionals: false,
        options: {
          machine: { type: 'string' },
          cpu: { type: 'string' },
          memory: { type: 'string' },
          bios: { type: 'string' },
          fda: { type: 'string' },
          fdb: { type: 'string' },
          hda: { type: 'string' },
          hdb: { type: 'string' },
          cdrom: { type: 'string' },
          boot: { type: 'string' },
          'write-through': { type: 'boolean' },
          serial: { type: 'string' },
          screen: { type: 'boolean' },
          'max-instructions': { type: 'string' },
          until: { type: 'string' },
          'start-time': { type: 'string' },
          json: { type: 'boolean' },
          'save-at': { type: 'string' },
          save: { type: 'string' },
          load: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      }).values;
    } catch (e) {
      io.err(`backplane run: ${(e as Error).message}\n`);
      return ExitCode.Usage;
    }
    if (values.help) {
      io.out(USAGE + '\n');
      return ExitCode.Ok;
    }
    try {
      const cpu = values.cpu;
      if (cpu !== undefined && !['8086', '80186', '80286'].includes(cpu)) throw new UsageError(`--cpu: "${cpu}" is not 8086, 80186 or 80286`);
      const maxInstructions = values['max-instructions'] === undefined ? undefined : parseCount('max-instructions', values['max-instructions']);
      let startTime: number | undefined;
      if (values['start-time'] !== undefined) {
        startTime = Date.parse(values['start-time']);
        if (Number.isNaN(startTime)) throw new UsageError(`--start-time: "${values['start-time']}" is not a date and time`);
      }
      const serial = values.serial ?? 'stdio';
      const writeThrough = values['write-through'] ?? false;
      const anyDisk = values.fda ?? values.fdb ?? values.hda ?? values.hdb ?? values.cdrom;
      const options: MachineOptions = {
        ...(values.machine === undefined ? {} : { type: values.machine }),
        ...(cpu === undefined ? {} : { cpu: cpu as CpuModelName }),
        ...(values.memory === undefined ? {} : { memoryKiB: parseSize(values.memory) }),
        ...(values.bios === undefined ? {} : { bios: new Uint8Array(readInput(values.bios)) }),
        ...(anyDisk === undefined
          ? { fda: memoryDisk(demoFloppyImage()), hda: memoryDisk(demoDiskImage()) }
          : {
              ...(values.fda === undefined ? {} : { fda: openImage(values.fda, writeThrough) }),
              ...(values.fdb === undefined ? {} : { fdb: openImage(values.fdb, writeThrough) }),
              ...(values.hda === undefined ? {} : { hda: openImage(values.hda, writeThrough) }),
              ...(values.hdb === undefined ? {} : { hdb: openImage(values.hdb, writeThrough) }),
              ...(values.cdrom === undefined ? {} : { cdrom: RawFileImage.open(values.cdrom, { readOnly: true }) }),
            }),
        ...(values.boot === undefined ? {} : { boot: values.boot }),
        ...(startTime === undefined ? {} : { startTime }),
      };
      const saveAt = values['save-at'] === undefined ? undefined : parseCount('save-at', values['save-at']);
      if (saveAt !== undefined && values.save === undefined) throw new UsageError('--save-at needs --save FILE or --save -');
      if (values.save === '-' && values.load === '-') throw new UsageError('--save - and --load - cannot both use the standard streams');
      if (values.save === '-' && values.json) throw new UsageError('--save - writes the stream to standard output: it cannot carry --json too');
      const machine = new PcMachine(options);
      if (values.load !== undefined) {
        const source = values.load === '-' ? io.stdin?.() : createReadStream(values.load);
        if (!source) throw new InputError('no standard input to load from');
        const size = values.load === '-' ? 0 : fileSize(values.load);
        const bar = progress(io, 'loading', size, (done, total) => `${mib(done)} of ${mib(total)}`);
        try {
          // A file is read whole first (vmstate then checks every record before writing any RAM,
          // with no journal); standard input is loaded as it arrives (checked and journaled).
          const counting = counted(source, (n) => bar.update(n));
          await machine.load(size > 0 && size <= MAX_IN_MEMORY_LOAD ? await gather(counting, size) : counting);
        } finally {
          bar.end();
        }
      }
      const json = values.json ?? false;
      const toStdout = values.save !== '-';
      if (serial === 'stdio' && !json) machine.serial$.subscribe((b) => (toStdout ? io.out : io.err)(String.fromCharCode(b)));
      const until = values.until;
      let budget = maxInstructions;
      if (saveAt !== undefined) {
        const left = Math.max(0, saveAt - machine.instructions);
        budget = budget === undefined ? left : Math.min(budget, left);
      }
      const first = machine.instructions;
      const running =
        budget !== undefined && budget >= PROGRESS_MIN
          ? progress(io, 'running', budget, (done, total) => `${(done / 1e6).toFixed(1)}M of ${(total / 1e6).toFixed(1)}M instructions`, 0)
          : undefined;
      let result;
      try {
        result = machine.run({
          ...(budget === undefined ? {} : { maxInstructions: budget }),
          until: () => {
            running?.update(machine.instructions - first);
            return until !== undefined && (machine.serialOutput.includes(until) || machine.screenText().includes(until));
          },
        });
      } finally {
        running?.end();
      }
      if (values.save !== undefined) {
        // Measured in bytes against the RAM size: exact for RAM full of data; zero pages go out as
        // flags, so a mostly empty machine finishes early.
        const ramBytes = machine.bus.memory.ram.length;
        const bar = progress(io, 'saving', ramBytes, (done) => `${mib(done)} written (${mib(ramBytes)} of RAM)`);
        try {
          let written = 0;
          // Each chunk is written before the machine runs again: RAM can go out as views.
          await saveTo(machine.save({ views: true }), values.save, io, (n) => bar.update((written += n)));
        } finally {
          bar.end();
        }
      }
      if (serial !== 'stdio' && serial !== 'none') writeFileSync(serial, machine.serialOutput, 'latin1');
      const screen = machine.screenText();
      if (json) {
        io.out(
          JSON.stringify(
            {
              machine: machine.type.name,
              cpu: machine.cpuModel,
              stopReason: result.reason,
              ...(result.detail === undefined ? {} : { detail: result.detail }),
              instructions: result.instructions,
              virtualTimeNs: result.virtualTimeNs,
              serial: machine.serialOutput,
              screen,
              debug: machine.debugOutput,
            },
            null,
            2,
          ) + '\n',
        );
      } else {
        if (values.screen) io.out(`\n${'-'.repeat(80)}\n${screen}\n${'-'.repeat(80)}\n`);
        io.err(`backplane run: ${result.reason} after ${result.instructions} instructions, ${(result.virtualTimeNs / 1e9).toFixed(3)} s of virtual time${result.detail ? `: ${result.detail}` : ''}\n`);
      }
      return result.reason === 'unsupported' ? ExitCode.Failure : ExitCode.Ok;
    } catch (e) {
      if (e instanceof UsageError) {
        io.err(`backplane run: ${e.message}\n`);
        return ExitCode.Usage;
      }
      if (e instanceof InputError || e instanceof VmstateError || e instanceof MachineError || e instanceof BlockError || e instanceof BusError) {
        io.err(`backplane run: ${e.message}\n`);
        return ExitCode.BadInput;
      }
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
        io.err(`backplane run: ${(e as Error).message}\n`);
        return ExitCode.BadInput;
      }
      throw e;
    }
  },
};

/** Runs shorter than this draw no progress bar. */
const PROGRESS_MIN = 50_000_000;

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // the read itself reports the error
  }
}

/** Streams up to this size are read whole before loading. */
const MAX_IN_MEMORY_LOAD = 1 << 30;

/** Every chunk of a source in one buffer of the expected size (a file that grew or shrank is read as it is). */
async function gather(source: AsyncIterable<Uint8Array>, expected: number): Promise<Uint8Array> {
  let buf = new Uint8Array(expected);
  let n = 0;
  for await (const chunk of source) {
    if (n + chunk.length > buf.length) {
      const bigger = new Uint8Array(Math.max(buf.length * 2, n + chunk.length));
      bigger.set(buf.subarray(0, n));
      buf = bigger;
    }
    buf.set(chunk, n);
    n += chunk.length;
  }
  return buf.subarray(0, n);
}

/** The same chunks, with a running byte count reported after each. */
async function* counted(source: AsyncIterable<Uint8Array>, report: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const chunk of source) {
    n += chunk.length;
    report(n);
    yield chunk;
  }
}

/** Write a migration stream to a file or to standard output, chunk by chunk. */
async function saveTo(stream: AsyncIterable<Uint8Array>, target: string, io: CliIo, onChunk: (bytes: number) => void): Promise<void> {
  if (target === '-') {
    if (!io.outBytes) throw new InputError('no standard output to save to');
    for await (const chunk of stream) {
      await io.outBytes(chunk);
      onChunk(chunk.length);
    }
    return;
  }
  const out = createWriteStream(target);
  try {
    for await (const chunk of stream) {
      if (!out.write(chunk)) await once(out, 'drain');
      onChunk(chunk.length);
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
}

function readInput(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
