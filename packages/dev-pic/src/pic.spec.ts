import { describe, expect, it } from 'vitest';
import { MASTER, PicBench, SLAVE } from '../test/helpers';

// Intel 8259A datasheet (order 231468): "Initialization Command Words", "Operation Command
// Words", "Modes of Operation" (fully nested, EOI, AEOI, rotation, special mask, poll), "Edge
// and Level Triggered Modes", "The Cascade Mode", and the INTA sequence. PC/AT wiring: the slave
// on master IR2, vectors 08h and 70h as the BIOS programs them.

describe('ICW1-ICW4: initialization', () => {
  it('ICW2 sets the vector base; the acknowledge returns base + IR level', () => {
    const p = new PicBench();
    p.initPc();
    p.request(1);
    expect(p.intr).toBe(true);
    expect(p.ack()).toBe(0x09);
    expect(p.intr).toBe(false);
  });

  it('in 8086 mode ICW2 bits 2-0 are ignored', () => {
    const p = new PicBench();
    p.bench.outb(MASTER, 0x13); // single, ICW4
    p.bench.outb(MASTER + 1, 0x2f);
    p.bench.outb(MASTER + 1, 0x01);
    p.request(3);
    expect(p.ack()).toBe(0x2b);
  });

  it('ICW1 clears the IMR, sets IRR reads and resets edge sensing: a held input must go low then high', () => {
    const p = new PicBench();
    p.initPc();
    p.imr(MASTER, 0xff);
    p.lines[4]!.raise();
    p.initPc();
    expect(p.bench.inb(MASTER + 1)).toBe(0x00);
    expect(p.bench.inb(MASTER)).toBe(0x00); // IRR
    expect(p.intr).toBe(false);
    p.lines[4]!.lower();
    p.lines[4]!.raise();
    expect(p.intr).toBe(true);
    expect(p.ack()).toBe(0x0c);
  });

  it('single mode (SNGL) skips ICW3; without IC4 no ICW4 is expected and its functions are cleared', () => {
    const p = new PicBench();
    p.initPc(0x03); // AEOI
    p.bench.outb(MASTER, 0x12); // single, no ICW4
    p.bench.outb(MASTER + 1, 0x40);
    p.bench.outb(MASTER + 1, 0xfe); // OCW1 already
    expect(p.bench.inb(MASTER + 1)).toBe(0xfe);
    p.request(0);
    expect(p.ack()).toBe(0x40);
    expect(p.isr()).toBe(0x01); // no AEOI any more
  });

  it('a second ICW1 restarts the sequence', () => {
    const p = new PicBench();
    p.bench.outb(MASTER, 0x11);
    p.bench.outb(MASTER + 1, 0x50);
    p.initPc();
    p.request(0);
    expect(p.ack()).toBe(0x08);
  });
});

describe('OCW1: interrupt mask register', () => {
  it('reads back; a masked request waits in IRR and interrupts when unmasked', () => {
    const p = new PicBench();
    p.initPc();
    p.imr(MASTER, 0x20);
    expect(p.bench.inb(MASTER + 1)).toBe(0x20);
    p.request(5);
    expect(p.intr).toBe(false);
    expect(p.irr()).toBe(0x20);
    p.imr(MASTER, 0x00);
    expect(p.intr).toBe(true);
    expect(p.ack()).toBe(0x0d);
  });
});

describe('fully nested mode: priorities', () => {
  it('IR0 is the highest and IR7 the lowest; an in-service level blocks itself and lower levels', () => {
    const p = new PicBench();
    p.initPc();
    p.request(5);
    p.request(3);
    expect(p.ack()).toBe(0x0b);
    expect(p.intr).toBe(false); // IR5 waits for the EOI of IR3
    p.request(1); // a higher level nests
    expect(p.intr).toBe(true);
    expect(p.ack()).toBe(0x09);
    expect(p.isr()).toBe(0x0a);
    p.eoi(); // non-specific: clears IR1, the highest in service
    expect(p.isr()).toBe(0x08);
    expect(p.intr).toBe(false);
    p.eoi();
    expect(p.intr).toBe(true);
    expect(p.ack()).toBe(0x0d);
  });

  it('slave requests rank at master IR2: between IRQ 1 and IRQ 3', () => {
    const p = new PicBench();
    p.initPc();
    p.request(3);
    p.request(14);
    expect(p.ack()).toBe(0x76);
    p.request(1);
    expect(p.ack()).toBe(0x09);
  });
});

describe('OCW2: end of interrupt', () => {
  it('specific EOI clears the named in-service bit', () => {
    const p = new PicBench();
    p.initPc();
    p.request(4);
    p.ack();
    p.request(6); // waits behind IR4
    p.request(0);
    p.ack();
    expect(p.isr()).toBe(0x11);
    p.bench.outb(MASTER, 0x64); // specific EOI, level 4
    expect(p.isr()).toBe(0x01);
  });

  it('a non-specific EOI with nothing in service changes nothing', () => {
    const p = new PicBench();
    p.initPc();
    p.eoi();
    expect(p.isr()).toBe(0);
  });
});

describe('ICW4: automatic EOI', () => {
  it('the ISR bit is not left set, so the same level can interrupt again at once', () => {
    const p = new PicBench();
    p.initPc(0x03);
    p.request(6);
    expect(p.ack()).toBe(0x0e);
    expect(p.isr()).toBe(0);
    p.request(6);
    expect(p.intr).toBe(true);
  });
});

describe('OCW2: rotation', () => {
  it('rotate on non-specific EOI: the serviced level becomes the lowest priority', () => {
    const p = new PicBench();
    p.initPc();
    p.request(3);
    p.ack();
    p.bench.outb(MASTER, 0xa0); // rotate on non-specific EOI
    p.request(4);
    p.request(1);
    // Priorities now 4 5 6 7 0 1 2 3 (highest first).
    expect(p.ack()).toBe(0x0c);
  });

  it('set priority command: OCW2 110 makes level L the lowest', () => {
    const p = new PicBench();
    p.initPc();
    p.bench.outb(MASTER, 0xc5); // IR5 lowest, IR6 highest
    p.request(0);
    p.request(6);
    expect(p.ack()).toBe(0x0e);
    p.bench.outb(MASTER, 0x66); // specific EOI 6
    expect(p.ack()).toBe(0x08);
  });

  it('rotate on specific EOI: clears level L and makes it the lowest', () => {
    const p = new PicBench();
    p.initPc();
    p.request(6);
    p.ack();
    p.bench.outb(MASTER, 0xe6);
    expect(p.isr()).toBe(0);
    p.request(7);
    p.request(0);
    expect(p.ack()).toBe(0x0f); // IR7 is now the highest
  });

  it('rotate in automatic EOI mode: each acknowledge makes its level the lowest; OCW2 000 stops it', () => {
    const p = new PicBench();
    p.initPc(0x03);
    p.bench.outb(MASTER, 0x80);
    p.request(1);
    p.request(3);
    expect(p.ack()).toBe(0x09);
    p.request(1);
    expect(p.ack()).toBe(0x0b); // IR1 went to the bottom
    expect(p.ack()).toBe(0x09);
    p.bench.outb(MASTER, 0x00);
    p.bench.outb(MASTER, 0xc7); // IR0 highest again
    p.request(5);
    p.request(4);
    expect(p.ack()).toBe(0x0c);
    expect(p.ack()).toBe(0x0d);
  });
});

describe('OCW3: special mask mode', () => {
  it('a masked in-service level no longer blocks lower levels', () => {
    const p = new PicBench();
    p.initPc();
    p.request(3);
    expect(p.ack()).toBe(0x0b);
    p.request(5);
    expect(p.intr).toBe(false);
    p.imr(MASTER, 0x08); // mask IR3
    p.bench.outb(MASTER, 0x68); // set special mask mode
    expect(p.intr).toBe(true);
    expect(p.ack()).toBe(0x0d);
    // A non-specific EOI does not clear a masked in-service level in special mask mode.
    p.eoi();
    expect(p.isr()).toBe(0x08);
    p.bench.outb(MASTER, 0x48); // reset special mask mode
    p.bench.outb(MASTER, 0x63); // specific EOI 3
    expect(p.isr()).toBe(0);
  });
});

describe('OCW3: poll command', () => {
  it('the next read is an acknowledge: bit 7 set and the level, with the ISR bit set', () => {
    const p = new PicBench();
    p.initPc();
    p.request(6);
    p.bench.outb(MASTER, 0x0c);
    expect(p.bench.inb(MASTER)).toBe(0x86);
    expect(p.isr()).toBe(0x40);
    expect(p.intr).toBe(false);
  });

  it('with no request the poll word has bit 7 clear; the read after it is a normal register read', () => {
    const p = new PicBench();
    p.initPc();
    p.bench.outb(MASTER, 0x0b); // ISR selected
    p.bench.outb(MASTER, 0x0c);
    expect(p.bench.inb(MASTER)).toBe(0x00);
    p.request(1);
    p.ack();
    expect(p.bench.inb(MASTER)).toBe(0x02); // ISR again
  });
});

describe('OCW3: IRR and ISR reads', () => {
  it('RR/RIS select the register read at A0 = 0, and the choice persists', () => {
    const p = new PicBench();
    p.initPc();
    p.imr(MASTER, 0xff);
    p.request(4);
    p.bench.outb(MASTER, 0x0a);
    expect(p.bench.inb(MASTER)).toBe(0x10);
    expect(p.bench.inb(MASTER)).toBe(0x10);
    p.bench.outb(MASTER, 0x0b);
    expect(p.bench.inb(MASTER)).toBe(0x00);
    p.bench.outb(MASTER, 0x08); // RR = 0: no change
    expect(p.bench.inb(MASTER)).toBe(0x00);
  });
});

describe('edge and level triggering', () => {
  it('edge: a rising edge latches the request; an input held high does not request again after EOI', () => {
    const p = new PicBench();
    p.initPc();
    p.lines[5]!.raise();
    expect(p.ack()).toBe(0x0d);
    p.eoi();
    expect(p.intr).toBe(false);
    p.lines[5]!.lower();
    p.lines[5]!.raise();
    expect(p.intr).toBe(true);
  });

  it('level (ICW1 LTIM): the request stays while the input is high and returns after EOI', () => {
    const p = new PicBench();
    p.bench.outb(MASTER, 0x19);
    p.bench.outb(MASTER + 1, 0x08);
    p.bench.outb(MASTER + 1, 0x04);
    p.bench.outb(MASTER + 1, 0x01);
    p.lines[5]!.raise();
    expect(p.ack()).toBe(0x0d);
    expect(p.intr).toBe(false);
    p.eoi();
    expect(p.intr).toBe(true);
    p.lines[5]!.lower();
    expect(p.intr).toBe(false);
    expect(p.irr()).toBe(0);
  });
});

describe('ELCR (4D0h/4D1h): per-input edge/level control', () => {
  it('reads back the writable bits: IRQ 0, 1, 2, 8 and 13 are always edge', () => {
    const p = new PicBench();
    p.bench.outb(0x4d0, 0xff);
    p.bench.outb(0x4d1, 0xff);
    expect(p.bench.inb(0x4d0)).toBe(0xf8);
    expect(p.bench.inb(0x4d1)).toBe(0xde);
  });

  it('makes one slave input level-triggered (PCI interrupts on IRQ 11)', () => {
    const p = new PicBench();
    p.initPc();
    p.bench.outb(0x4d1, 0x08);
    p.lines[11]!.raise();
    expect(p.ack()).toBe(0x73);
    p.eoi(SLAVE);
    p.eoi(MASTER);
    expect(p.intr).toBe(true); // still high: requests again
    expect(p.ack()).toBe(0x73);
    p.lines[11]!.lower();
    p.eoi(SLAVE);
    p.eoi(MASTER);
    expect(p.intr).toBe(false);
    p.lines[10]!.raise(); // IRQ 10 stays edge-triggered
    expect(p.ack()).toBe(0x72);
    p.eoi(SLAVE);
    p.eoi(MASTER);
    expect(p.intr).toBe(false);
  });
});

describe('cascade: the slave on master IR2', () => {
  it('with automatic EOI on both chips, two pending slave requests are delivered one after the other', () => {
    const p = new PicBench();
    p.initPc(0x03, 0x03);
    p.request(12);
    p.request(9);
    expect(p.ack()).toBe(0x71);
    // The slave's INT falls during the acknowledge and rises again for IRQ 12: a new edge on IR2.
    expect(p.intr).toBe(true);
    expect(p.ack()).toBe(0x74);
    expect(p.intr).toBe(false);
  });

  it('a slave request sets ISR bits on both chips and takes the slave vector', () => {
    const p = new PicBench();
    p.initPc();
    p.request(12);
    expect(p.intr).toBe(true);
    expect(p.ack()).toBe(0x74);
    expect(p.isr(MASTER)).toBe(0x04);
    expect(p.isr(SLAVE)).toBe(0x10);
    p.eoi(SLAVE);
    p.eoi(MASTER);
    expect(p.isr(MASTER) | p.isr(SLAVE)).toBe(0);
  });

  it('ISA IRQ 2 is redirected to slave input 1 (IRQ 9)', () => {
    const p = new PicBench();
    p.initPc();
    p.request(2);
    expect(p.ack()).toBe(0x71);
  });

  it('a slave request masked at the master (IMR bit 2) waits', () => {
    const p = new PicBench();
    p.initPc();
    p.imr(MASTER, 0x04);
    p.request(8);
    expect(p.intr).toBe(false);
    p.imr(MASTER, 0x00);
    expect(p.ack()).toBe(0x70);
  });

  it('special fully nested mode: a higher slave request interrupts while the slave is in service', () => {
    const plain = new PicBench();
    plain.initPc();
    plain.request(12);
    plain.ack();
    plain.request(9);
    expect(plain.intr).toBe(false); // fully nested: master IR2 in service blocks it
    const sfnm = new PicBench();
    sfnm.initPc(0x11, 0x01); // master ICW4: SFNM
    sfnm.request(12);
    sfnm.ack();
    sfnm.request(9);
    expect(sfnm.intr).toBe(true);
    expect(sfnm.ack()).toBe(0x71);
  });
});

describe('spurious interrupts (IR7 and IR15)', () => {
  it('an edge request withdrawn before INTA answers the default IR7 without setting the ISR', () => {
    const p = new PicBench();
    p.initPc();
    p.lines[5]!.raise();
    expect(p.intr).toBe(true);
    p.lines[5]!.lower();
    expect(p.irr()).toBe(0);
    expect(p.ack()).toBe(0x0f);
    expect(p.isr()).toBe(0);
  });

  it('a glitch (rising then falling at once) is no request', () => {
    const p = new PicBench();
    p.initPc();
    p.lines[4]!.pulse();
    expect(p.intr).toBe(false);
    expect(p.irr()).toBe(0);
  });

  it('an edge slave request that went away answers IR15 with the master marking IR2 in service', () => {
    const p = new PicBench();
    p.initPc();
    p.lines[13]!.raise();
    p.lines[13]!.lower();
    expect(p.ack()).toBe(0x77);
    expect(p.isr(SLAVE)).toBe(0);
    expect(p.isr(MASTER)).toBe(0x04);
  });

  it('a level request withdrawn before INTA answers IR7 without setting the ISR', () => {
    const p = new PicBench();
    p.initPc();
    p.bench.outb(0x4d0, 0x20);
    p.lines[5]!.raise();
    expect(p.intr).toBe(true);
    p.lines[5]!.lower();
    expect(p.ack()).toBe(0x0f);
    expect(p.isr()).toBe(0);
  });

  it('a request masked after INT rose answers IR7', () => {
    const p = new PicBench();
    p.initPc();
    p.request(4);
    p.imr(MASTER, 0x10);
    expect(p.ack()).toBe(0x0f);
    expect(p.isr()).toBe(0);
  });

  it('a slave request that went away answers IR15; the master still marks IR2 in service', () => {
    const p = new PicBench();
    p.initPc();
    p.bench.outb(0x4d1, 0x04); // IRQ 10 level
    p.lines[10]!.raise();
    expect(p.intr).toBe(true);
    p.lines[10]!.lower();
    expect(p.ack()).toBe(0x77);
    expect(p.isr(SLAVE)).toBe(0);
    expect(p.isr(MASTER)).toBe(0x04);
  });
});
