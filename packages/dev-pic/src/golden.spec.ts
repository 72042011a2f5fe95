import { loadSection, saveSection } from '@backplane/vmstate';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MASTER, PicBench, SLAVE } from '../test/helpers';
import { picState } from './state';

// A version-1 stream, frozen: every later version of this package must still load it. The
// file was written by this test with UPDATE_GOLDEN=1 (never rewrite it once released).
const GOLDEN = new URL('../test/golden/pic-pair-v1.hex', import.meta.url);

function scenario(): PicBench {
  const p = new PicBench();
  p.initPc();
  p.bench.outb(0x4d1, 0x08);
  p.request(3);
  p.ack(); // IRQ 3 in service
  p.lines[11]!.raise(); // level-triggered
  p.request(5); // pending
  p.imr(MASTER, 0x80);
  p.bench.outb(MASTER, 0xc4); // IR4 lowest priority
  p.bench.outb(SLAVE, 0x0c); // poll pending on the slave (the poll-special-mask subsection)
  return p;
}

describe('golden stream: pic-pair version 1', () => {
  it('loads, behaves as saved, and re-encodes to the same bytes', () => {
    const p = scenario();
    const bytes = saveSection(picState, p.pic.saveState(), { now: 0 });
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, Buffer.from(bytes).toString('hex') + '\n');
    expect(existsSync(GOLDEN), 'test/golden/pic-pair-v1.hex is part of the package sources').toBe(true);
    const golden = new Uint8Array(Buffer.from(readFileSync(GOLDEN, 'utf8').trim(), 'hex'));
    const q = new PicBench();
    q.lines[11]!.raise();
    q.lines[3]!.raise();
    q.lines[5]!.raise();
    const state = loadSection(picState, golden, { now: 0 });
    expect([state.master.isr, state.master.imr, state.master.lowestPriority, state.slave.pollPending]).toEqual([0x08, 0x80, 4, true]);
    q.pic.loadState(state);
    expect(saveSection(picState, q.pic.saveState(), { now: 0 })).toEqual(golden);
    expect(q.bench.inb(SLAVE)).toBe(0x83); // the poll answers IRQ 11
    expect(q.ack()).toBe(0x0d); // IRQ 5 outranks IRQ 3 in service now that IR4 is lowest
  });
});
