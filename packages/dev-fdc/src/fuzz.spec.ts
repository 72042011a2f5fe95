// Guest-side fuzzing (the VENOM lesson, CVE-2015-3456): random register writes, commands, reads,
// DMA programming, media changes and time, with and without media. Nothing may throw, no index
// may leave its buffer, no image access may leave the image, and a reset must recover.
import { type BlockDevice, MemoryImage } from '@backplane/block';
import { SeededRandom } from '@backplane/bus';
import { describe, expect, it } from 'vitest';
import { BASE, DOR, FIFO, MSR, dmaRead, resetController, result, rig, send, specify } from '../test/helpers';
import { COMMAND_TABLE } from './Fdc';
import { COMMAND_BYTES, RESULT_BYTES } from './state';

const SEQUENCES = 2000;
const OPERATIONS = 150;
const SIZES = [163840, 184320, 327680, 368640, 737280, 1228800, 1474560, 1720320, 1763328, 2949120];
const OPCODES = [0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x12, 0x13, 0x14, 0x16, 0x8f, 0xcf, 0x94];

/** A block device that records any access outside its size instead of relying on the backend's check. */
class Watched implements BlockDevice {
  static violations = 0;
  constructor(
    readonly inner: MemoryImage,
    readonly readOnly = false,
  ) {}
  get size(): number {
    return this.inner.size;
  }
  read(offset: number, target: Uint8Array, start = 0, length = target.length - start): void {
    if (offset < 0 || length < 0 || offset + length > this.size || start + length > target.length) Watched.violations++;
    this.inner.read(offset, target, start, length);
  }
  write(offset: number, source: Uint8Array, start = 0, length = source.length - start): void {
    if (offset < 0 || length < 0 || offset + length > this.size || start + length > source.length) Watched.violations++;
    this.inner.write(offset, source, start, length);
  }
  flush(): void {}
}

describe('guest-side fuzz', () => {
  it(`${SEQUENCES} random sequences of ${OPERATIONS} port operations never throw, never leave a buffer or an image, and a reset recovers`, () => {
    const rnd = new SeededRandom(0x82077);
    // One backing image per format, shared by the sequences (their contents do not matter here).
    const images = SIZES.map((size) => new MemoryImage(size));
    let inserted = 0;
    let badStates = 0;
    let withMedia = 0;
    let r = rig();
    for (let seq = 0; seq < SEQUENCES; seq++) {
      // A fresh bench every 100 sequences (with 1-4 drives); in between, a hardware reset
      // (the RESET pin) and empty drives start each sequence.
      if (seq % 100 === 0) r = rig({ drives: 1 + rnd.below(4) });
      const { bench, fdc } = r;
      const drives = fdc.resources.drives;
      fdc.reset();
      for (let d = 0; d < drives; d++) if (fdc.mediaIn(d)) fdc.eject(d);
      bench.irq(6).clear();
      const insert = (d: number) => {
        fdc.insert(d, new Watched(images[rnd.below(SIZES.length)]!, rnd.below(4) === 0));
        inserted++;
      };
      if (seq % 2 === 0) {
        insert(0);
        withMedia++;
      }
      const check = (): void => {
        const st = fdc.state;
        const ok =
          st.command.length === COMMAND_BYTES &&
          st.result.length === RESULT_BYTES &&
          st.buffer.length === 512 &&
          st.commandPos <= st.commandLength &&
          st.commandLength <= COMMAND_BYTES &&
          st.resultPos <= st.resultLength &&
          st.resultLength <= RESULT_BYTES &&
          st.xfer.pos <= st.xfer.need &&
          st.xfer.need <= 512;
        if (!ok) badStates++;
      };
      for (let op = 0; op < OPERATIONS; op++) {
        const k = rnd.below(100);
        if (k < 30) {
          bench.outb(FIFO, rnd.below(3) === 0 ? rnd.below(256) : OPCODES[rnd.below(OPCODES.length)]!);
        } else if (k < 45) {
          const entry = COMMAND_TABLE[OPCODES[rnd.below(OPCODES.length)]!]!;
          for (let i = 0; i < entry.length; i++) bench.outb(FIFO, i === 0 ? OPCODES[rnd.below(OPCODES.length)]! : rnd.below(3) === 0 ? rnd.below(256) : rnd.below(20));
        } else if (k < 60) {
          bench.inb(BASE + [0, 1, 2, 3, 4, 5, 7][rnd.below(7)]!);
        } else if (k < 70) {
          for (let i = rnd.below(600); i > 0; i--) bench.inb(FIFO);
        } else if (k < 76) {
          bench.outb(BASE + [0, 1, 2, 3, 4, 7][rnd.below(6)]!, rnd.below(256));
        } else if (k < 80) {
          bench.outb(DOR, (rnd.below(2) ? 0x04 : 0) | (rnd.below(4) ? 0x08 : 0) | (rnd.below(16) << 4) | rnd.below(4));
        } else if (k < 86) {
          bench.dma.program(2, {
            address: rnd.below(0x100000),
            length: 1 + rnd.below(rnd.below(2) ? 600 : 40000),
            direction: (['read', 'write', 'verify'] as const)[rnd.below(3)]!,
            decrement: rnd.below(8) === 0,
          });
        } else if (k < 96) {
          const next = bench.clock.nextDeadline();
          if (Number.isFinite(next) && rnd.below(2)) bench.clock.advanceTo(next);
          else bench.advance(rnd.below(300_000_000));
        } else if (k < 98) {
          const d = rnd.below(drives);
          if (fdc.mediaIn(d)) fdc.eject(d);
          else insert(d);
        } else {
          for (let i = rnd.below(2000); i > 0; i--) bench.outb(FIFO, rnd.below(256));
        }
        check();
      }
      // Recovery: a reset through DOR, the four ready-changed statuses, VERSION, and a read.
      for (let d = 1; d < drives; d++) if (fdc.mediaIn(d)) fdc.eject(d);
      const image = new Watched(images[6]!);
      fdc.insert(0, image);
      image.inner.bytes.fill(0x5a, 512, 1024);
      expect(resetController(bench)).toEqual([
        [0xc0, 0],
        [0xc1, 0],
        [0xc2, 0],
        [0xc3, 0],
      ]);
      send(bench, 0x10);
      expect(result(bench)).toEqual([0x90]);
      specify(bench);
      bench.outb(BASE + 7, 0);
      // Two recalibrates, as drivers do: one may stop after 79 steps short of track 0.
      for (let i = 0; i < 2; i++) {
        send(bench, 0x07, 0x00);
        bench.advance(2_000_000_000);
        send(bench, 0x08);
        result(bench);
      }
      expect(dmaRead(bench, { c: 0, r: 2, sectors: 1 })).toEqual([0, 0, 0, 0, 0, 3, 2]);
      expect(bench.memory.ram[0x10000]).toBe(0x5a);
      expect(bench.inb(MSR)).toBe(0x80);
    }
    expect(Watched.violations).toBe(0);
    expect(badStates).toBe(0);
    expect(withMedia).toBe(SEQUENCES / 2);
    console.log(`fdc fuzz: ${SEQUENCES} sequences x ${OPERATIONS} operations (${withMedia} starting with media), ${inserted} media insertions, 0 out-of-range accesses`);
  });
});
