import { SeededRandom } from '@backplane/bus';
import { ValidationError, copyState, loadSection, saveSection } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import { MASTER, PicBench, SLAVE } from '../test/helpers';
import { picState } from './state';

function save(p: PicBench): Uint8Array {
  return saveSection(picState, p.pic.saveState(), { now: p.bench.clock.now });
}

/** A fresh bench with the same wire levels, loaded from `bytes`. */
function restore(bytes: Uint8Array, from: PicBench): PicBench {
  const q = new PicBench();
  from.lines.forEach((line, n) => q.lines[n]!.set(line.level));
  q.pic.loadState(loadSection(picState, bytes, { now: q.bench.clock.now }));
  return q;
}

describe('state: save in the middle of servicing', () => {
  it('a pair saved with requests pending and levels in service behaves like one that never stopped', () => {
    const a = new PicBench();
    a.initPc();
    a.bench.outb(0x4d1, 0x08); // IRQ 11 level
    a.lines[11]!.raise();
    a.request(3);
    a.request(14);
    a.ack(); // IRQ 3 in service
    a.request(1);
    a.imr(MASTER, 0x40);
    a.bench.outb(SLAVE, 0x0b); // slave reads ISR
    const b = restore(save(a), a);
    const rnd = new SeededRandom(59);
    const seen: [number[], number[]] = [[], []];
    for (let i = 0; i < 3000; i++) {
      const r = [rnd.nextUint32(), rnd.nextUint32(), rnd.nextUint32()];
      [a, b].forEach((p, k) => {
        const out = seen[k]!;
        switch (r[0]! % 5) {
          case 0:
            out.push(p.bench.inb([0x20, 0x21, 0xa0, 0xa1][r[1]! % 4]!));
            break;
          case 1:
            p.lines[r[1]! % 16]!.set((r[2]! & 1) === 1);
            break;
          case 2:
            if (p.intr) out.push(p.ack());
            break;
          case 3:
            p.bench.outb([0x20, 0xa0][r[1]! % 2]!, [0x20, 0x60 | (r[2]! & 7), 0x0a, 0x0b, 0x0c][r[2]! % 5]!);
            break;
          default:
            out.push(p.intr ? 1 : 0);
        }
      });
    }
    expect(seen[1]).toEqual(seen[0]);
    expect(b.pic.saveState()).toEqual(a.pic.saveState());
  });

  it('sends the poll/special-mask subsection only while a poll is pending or special mask mode is on', () => {
    const p = new PicBench();
    p.initPc();
    const has = (bytes: Uint8Array) => Buffer.from(bytes).includes('poll-special-mask');
    expect(has(save(p))).toBe(false);
    p.bench.outb(MASTER, 0x0c); // poll
    const polled = save(p);
    expect(has(polled)).toBe(true);
    p.request(5);
    const q = restore(save(p), p);
    expect(q.bench.inb(MASTER)).toBe(0x85); // the restored poll is answered
    p.bench.inb(MASTER);
    expect(has(save(p))).toBe(false);
    p.bench.outb(SLAVE, 0x68); // special mask mode on the slave
    expect(has(save(p))).toBe(true);
  });

  it('refuses an invalid state object and applies nothing', () => {
    const p = new PicBench();
    p.initPc();
    const good = p.pic.saveState();
    const bad = copyState(picState, good);
    bad.slave.vectorBase = 0x71;
    expect(() => p.pic.loadState(bad)).toThrow(ValidationError);
    const bad2 = copyState(picState, good);
    bad2.master.lowestPriority = 9;
    expect(() => p.pic.loadState(bad2)).toThrow(ValidationError);
    expect(p.pic.saveState()).toEqual(good);
  });
});
