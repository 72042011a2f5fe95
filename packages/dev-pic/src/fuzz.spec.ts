import { SeededRandom } from '@backplane/bus';
import { createTestBench } from '@backplane/bus/testing';
import { validate } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import { PicBench } from '../test/helpers';
import { request } from './chip';
import { PIC, picModule } from './module';
import { picState } from './state';

const PORTS = [0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1];

describe('port-write fuzz', () => {
  it('30000 random port writes, reads, wire changes and acknowledges: no exception, a valid state, INTR that matches the chips', () => {
    const p = new PicBench();
    p.initPc();
    const rnd = new SeededRandom(0x8259);
    let acks = 0;
    for (let i = 0; i < 30_000; i++) {
      const op = rnd.below(10);
      if (op < 3) p.bench.outb(PORTS[rnd.below(PORTS.length)]!, rnd.below(256));
      else if (op < 5) p.bench.inb(PORTS[rnd.below(PORTS.length)]!);
      else if (op < 8) p.lines[rnd.below(16)]!.set(rnd.below(2) === 1);
      else if (op < 9 && p.intr) {
        const v = p.ack();
        if (!(Number.isInteger(v) && v >= 0 && v <= 0xff)) expect.fail(`vector ${v}`);
        acks++;
      } else if (rnd.below(20) === 0) p.initPc(rnd.below(2) ? 0x01 : 0x03);
      const { master } = p.pic.state;
      if (p.intr !== request(master, true) >= 0) expect.fail(`INTR disagrees with the master after op ${i}`);
      if (i % 500 === 0) validate(picState, p.pic.saveState());
    }
    expect(acks).toBeGreaterThan(500);
  });
});

describe('module', () => {
  it('claims 20h-21h, A0h-A1h and 4D0h-4D1h by default', () => {
    const bench = createTestBench([picModule()]);
    expect([0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1].map((port) => bench.io.owner(port))).toEqual(['pic.master', 'pic.master', 'pic.slave', 'pic.slave', 'pic.elcr', 'pic.elcr']);
  });

  it('takes other resources; elcrIobase -1 leaves the ELCR out (an original AT)', () => {
    const bench = createTestBench([picModule({ masterIobase: 0x30, slaveIobase: 0xb0, elcrIobase: -1 }, 'pic9')]);
    expect(bench.get(PIC).id).toBe('pic9');
    expect(bench.io.owner(0x30)).toBe('pic9.master');
    expect(bench.io.owner(0x4d0)).toBeUndefined();
  });
});
