import { Bus, BusRangeError, PortConflictError, SeededRandom } from '@backplane/bus';
import { createTestBench, type TestBench } from '@backplane/bus/testing';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { UART, UART2, uartModule, type UartModuleOptions } from './module';
import { RX_FRAMING_ERROR, RX_PARITY_ERROR, Uart, type UartResources } from './Uart';

// PC16550D datasheet (National Semiconductor / Texas Instruments), register summary (table II)
// and the register descriptions of section 8. Ports below are COM1 = 3F8h.
const BASE = 0x3f8;
const RBR = BASE, THR = BASE, DLL = BASE, IER = BASE + 1, DLM = BASE + 1, IIR = BASE + 2, FCR = BASE + 2;
const LCR = BASE + 3, MCR = BASE + 4, LSR = BASE + 5, MSR = BASE + 6, SCR = BASE + 7;

/** 115200 baud (divisor 1 at 1.8432 MHz), 8 data bits, no parity, 1 stop: 10 bits of 8680.56 ns. */
const CHAR_115200_8N1 = Math.ceil((10 * 1e9) / 115200);

/**
 * A UART alone on a bench. Unless `powerOn` is asked for, it is programmed like a driver does
 * first: divisor 1 (115200 baud), 8 data bits, no parity, 1 stop bit.
 */
function setup(resources: Partial<UartResources> = {}, options: UartModuleOptions & { powerOn?: boolean } = {}) {
  const { powerOn = false, ...moduleOptions } = options;
  const bench = createTestBench([uartModule(resources, moduleOptions)]);
  const uart = bench.get(UART);
  const sent: { time: number; byte: number }[] = [];
  uart.transmit$.subscribe((byte) => sent.push({ time: bench.clock.now, byte }));
  if (!powerOn) program(bench, 1, 0x03);
  return { bench, uart, sent };
}

/** Program divisor and line control the way a driver does (DLAB set, divisor, LCR). */
function program(bench: TestBench, divisor: number, lcr: number): void {
  bench.outb(LCR, 0x80);
  bench.outb(DLL, divisor & 0xff);
  bench.outb(DLM, divisor >> 8);
  bench.outb(LCR, lcr);
}

describe('master reset (datasheet table IV)', () => {
  it('powers up with IER 0, IIR 01h, LCR 0, MCR 0, LSR 60h and no modem status changes', () => {
    const { bench } = setup({}, { powerOn: true });
    expect(bench.inb(IER)).toBe(0);
    expect(bench.inb(IIR)).toBe(0x01);
    expect(bench.inb(LCR)).toBe(0);
    expect(bench.inb(MCR)).toBe(0);
    expect(bench.inb(LSR)).toBe(0x60);
    expect(bench.inb(MSR) & 0x0f).toBe(0);
  });

  it('reset clears the control registers and FIFOs but leaves the divisor latch and scratch register', () => {
    const { bench, uart } = setup();
    program(bench, 0x1234, 0x03);
    bench.outb(SCR, 0x5a);
    bench.outb(IER, 0x0f);
    bench.outb(FCR, 0xc7);
    bench.outb(MCR, 0x1f);
    uart.receive(0x41);
    uart.reset();
    expect(bench.inb(IER)).toBe(0);
    expect(bench.inb(IIR)).toBe(0x01);
    expect(bench.inb(MCR)).toBe(0);
    expect(bench.inb(LSR)).toBe(0x60);
    expect(bench.inb(SCR)).toBe(0x5a);
    bench.outb(LCR, 0x80);
    expect(bench.inb(DLL)).toBe(0x34);
    expect(bench.inb(DLM)).toBe(0x12);
  });
});

describe('divisor latch access bit (LCR bit 7)', () => {
  it('maps offsets 0 and 1 to DLL and DLM while set, to RBR/THR and IER while clear', () => {
    const { bench, sent } = setup();
    bench.outb(LCR, 0x83);
    bench.outb(DLL, 0x0c);
    bench.outb(DLM, 0x00);
    expect(bench.inb(DLL)).toBe(0x0c);
    expect(bench.inb(DLM)).toBe(0x00);
    expect(sent).toEqual([]);
    bench.outb(LCR, 0x03);
    expect(bench.inb(IER)).toBe(0);
    bench.outb(IER, 0x05);
    expect(bench.inb(IER)).toBe(0x05);
    bench.outb(LCR, 0x83);
    expect(bench.inb(DLL)).toBe(0x0c);
  });

  it('IER keeps only bits 0-3, MCR only bits 0-4', () => {
    const { bench } = setup();
    bench.outb(IER, 0xff);
    expect(bench.inb(IER)).toBe(0x0f);
    bench.outb(MCR, 0xff & ~0x10);
    expect(bench.inb(MCR)).toBe(0x0f);
  });
});

describe('scratch register', () => {
  it('holds any byte', () => {
    const { bench } = setup();
    for (const v of [0x00, 0x55, 0xaa, 0xff]) {
      bench.outb(SCR, v);
      expect(bench.inb(SCR)).toBe(v);
    }
  });
});

describe('transmitter, 16450 mode', () => {
  it('moves THR to the shift register at once (THRE set again) and sends it one character time later', () => {
    const { bench, sent } = setup();
    bench.outb(THR, 0x41);
    expect(bench.inb(LSR) & 0x60).toBe(0x20); // THRE, not TEMT: the shift register is busy
    bench.advance(CHAR_115200_8N1 - 1);
    expect(sent).toEqual([]);
    bench.advance(1);
    expect(sent).toEqual([{ time: CHAR_115200_8N1, byte: 0x41 }]);
    expect(bench.inb(LSR) & 0x60).toBe(0x60);
  });

  it('a second character waits in THR (THRE clear) until the first has left', () => {
    const { bench, sent } = setup();
    bench.outb(THR, 0x31);
    bench.outb(THR, 0x32);
    expect(bench.inb(LSR) & 0x60).toBe(0);
    bench.advance(CHAR_115200_8N1);
    expect(bench.inb(LSR) & 0x60).toBe(0x20);
    bench.advance(CHAR_115200_8N1);
    expect(sent.map((s) => s.byte)).toEqual([0x31, 0x32]);
    expect(sent[1]!.time).toBe(2 * CHAR_115200_8N1);
  });

  it('sends and receives only the data bits of the programmed word length', () => {
    const { bench, uart, sent } = setup({}, { paced: false });
    for (const [wls, mask] of [[0, 0x1f], [1, 0x3f], [2, 0x7f], [3, 0xff]] as const) {
      bench.outb(LCR, wls);
      bench.outb(THR, 0xff);
      expect(sent.at(-1)!.byte).toBe(mask);
      uart.receive(0xff);
      expect(bench.inb(RBR)).toBe(mask);
    }
  });
});

describe('transmit pacing in virtual time', () => {
  it('9600 baud 7E2 (divisor 12): 11-bit frames of 1145833 ns', () => {
    const { bench, sent } = setup();
    program(bench, 12, 0x02 | 0x04 | 0x08 | 0x10);
    bench.outb(FCR, 0x01);
    for (const b of [1, 2, 3]) bench.outb(THR, b);
    bench.advance(10_000_000);
    const frame = Math.ceil((11 * 1e9) / 9600);
    expect(sent).toEqual([
      { time: frame, byte: 1 },
      { time: 2 * frame, byte: 2 },
      { time: 3 * frame, byte: 3 },
    ]);
  });

  it('5 data bits with LCR bit 2 use 1.5 stop bits (7.5-bit frames)', () => {
    const { bench, sent } = setup();
    program(bench, 96, 0x04); // 1200 baud
    bench.outb(THR, 0x15);
    bench.advance(10_000_000);
    expect(sent[0]!.time).toBe(Math.ceil((7.5 * 1e9) / 1200));
  });

  it('runs unthrottled when asked: characters leave the moment they are written', () => {
    const { bench, sent } = setup({}, { paced: false });
    program(bench, 0x0180, 0x03); // 300 baud: would take 33 ms per character
    bench.outb(FCR, 0x01);
    for (const b of [0x48, 0x69]) bench.outb(THR, b);
    expect(sent).toEqual([
      { time: 0, byte: 0x48 },
      { time: 0, byte: 0x69 },
    ]);
    expect(bench.inb(LSR) & 0x60).toBe(0x60);
  });

  it('switching pacing off flushes what is queued', () => {
    const { bench, uart, sent } = setup();
    bench.outb(FCR, 0x01);
    for (const b of [1, 2, 3]) bench.outb(THR, b);
    uart.setPaced(false);
    expect(sent.map((s) => s.byte)).toEqual([1, 2, 3]);
  });
});

describe('FIFO control register', () => {
  it('FCR bit 0 sets IIR bits 6-7; the other bits are not programmed while bit 0 is written 0', () => {
    const { bench, uart } = setup();
    bench.outb(FCR, 0x01);
    expect(bench.inb(IIR)).toBe(0xc1);
    bench.outb(FCR, 0xc0);
    expect(bench.inb(IIR)).toBe(0x01);
    bench.outb(FCR, 0x01);
    // Trigger level stayed 1: one character raises the data interrupt.
    bench.outb(IER, 0x01);
    uart.receive(0x10);
    expect(bench.inb(IIR)).toBe(0xc4);
  });

  it('holds 16 bytes in the transmitter FIFO; a 17th write is lost', () => {
    const { bench, sent } = setup();
    bench.outb(FCR, 0x01);
    for (let i = 0; i < 18; i++) bench.outb(THR, i);
    bench.advance(20 * CHAR_115200_8N1);
    // One went straight to the shift register, 16 waited in the FIFO, one was lost.
    expect(sent.map((s) => s.byte)).toEqual([...Array(17).keys()]);
  });

  it('bit 1 clears the receiver FIFO, bit 2 the transmitter FIFO (the shift register finishes)', () => {
    const { bench, uart, sent } = setup();
    bench.outb(FCR, 0x01);
    for (const b of [1, 2, 3]) uart.receive(b);
    for (const b of [4, 5, 6]) bench.outb(THR, b);
    bench.outb(FCR, 0x03);
    expect(bench.inb(LSR) & 0x01).toBe(0);
    bench.outb(FCR, 0x05);
    expect(bench.inb(LSR) & 0x60).toBe(0x20);
    bench.advance(5 * CHAR_115200_8N1);
    expect(sent.map((s) => s.byte)).toEqual([4]);
    expect(bench.inb(IIR)).toBe(0xc1);
  });

  it('switching between FIFO and 16450 mode clears both FIFOs', () => {
    const { bench, uart } = setup();
    bench.outb(FCR, 0x01);
    uart.receive(1);
    uart.receive(2);
    bench.outb(FCR, 0x00);
    expect(bench.inb(LSR) & 0x01).toBe(0);
    uart.receive(3);
    bench.outb(FCR, 0x01);
    expect(bench.inb(LSR) & 0x01).toBe(0);
  });
});

describe('receiver FIFO trigger levels (FCR bits 6-7)', () => {
  for (const [bits, level] of [[0x00, 1], [0x40, 4], [0x80, 8], [0xc0, 14]] as const) {
    it(`raises received data available at ${level} character(s) and drops it below`, () => {
      const { bench, uart } = setup();
      bench.outb(FCR, 0x01 | bits);
      bench.outb(IER, 0x01);
      bench.outb(MCR, 0x08);
      const irq = bench.irq(4);
      for (let i = 0; i < level - 1; i++) uart.receive(i);
      expect(bench.inb(IIR)).toBe(0xc1);
      expect(irq.level).toBe(false);
      uart.receive(0x7e);
      expect(bench.inb(IIR)).toBe(0xc4);
      expect(irq.level).toBe(true);
      expect(bench.inb(LSR) & 0x01).toBe(1);
      bench.inb(RBR);
      expect(bench.inb(IIR)).toBe(0xc1);
      expect(irq.level).toBe(false);
    });
  }

  it('delivers the characters in order', () => {
    const { bench, uart } = setup();
    bench.outb(FCR, 0x01);
    for (let i = 0; i < 16; i++) uart.receive(0x40 + i);
    const got: number[] = [];
    while (bench.inb(LSR) & 0x01) got.push(bench.inb(RBR));
    expect(got).toEqual([...Array(16).keys()].map((i) => 0x40 + i));
  });
});

describe('character timeout (FIFO mode)', () => {
  function timeoutBench() {
    const s = setup();
    s.bench.outb(FCR, 0xc1); // trigger level 14
    s.bench.outb(IER, 0x01);
    return s;
  }

  it('is indicated (IIR CCh) when characters wait and nothing happens for 4 character times', () => {
    const { bench, uart } = timeoutBench();
    uart.receive(0x61);
    bench.advance(4 * CHAR_115200_8N1 - 1);
    expect(bench.inb(IIR)).toBe(0xc1);
    bench.advance(1);
    expect(bench.inb(IIR)).toBe(0xcc);
  });

  it('is cleared by reading a character, and the timer restarts if characters remain', () => {
    const { bench, uart } = timeoutBench();
    uart.receive(0x61);
    uart.receive(0x62);
    bench.advance(4 * CHAR_115200_8N1);
    expect(bench.inb(RBR)).toBe(0x61);
    expect(bench.inb(IIR)).toBe(0xc1);
    bench.advance(4 * CHAR_115200_8N1);
    expect(bench.inb(IIR)).toBe(0xcc);
    expect(bench.inb(RBR)).toBe(0x62);
    bench.advance(10 * CHAR_115200_8N1);
    expect(bench.inb(IIR)).toBe(0xc1);
  });

  it('restarts whenever a new character arrives', () => {
    const { bench, uart } = timeoutBench();
    uart.receive(0x61);
    bench.advance(3 * CHAR_115200_8N1);
    uart.receive(0x62);
    bench.advance(3 * CHAR_115200_8N1);
    expect(bench.inb(IIR)).toBe(0xc1);
    bench.advance(CHAR_115200_8N1);
    expect(bench.inb(IIR)).toBe(0xcc);
  });

  it('does not occur in 16450 mode or with an empty FIFO', () => {
    const { bench, uart } = setup();
    bench.outb(IER, 0x01);
    uart.receive(0x61);
    bench.advance(100 * CHAR_115200_8N1);
    expect(bench.inb(IIR)).toBe(0x04);
    bench.inb(RBR);
    bench.outb(FCR, 0xc1);
    bench.advance(100 * CHAR_115200_8N1);
    expect(bench.inb(IIR)).toBe(0xc1);
  });
});

describe('line status register', () => {
  it('FIFO mode overrun: the 17th character is lost, OE is set until the LSR is read', () => {
    const { bench, uart } = setup();
    bench.outb(FCR, 0x01);
    for (let i = 0; i < 16; i++) expect(uart.receive(i)).toBe(true);
    expect(uart.receive(0x99)).toBe(false);
    expect(bench.inb(LSR) & 0x03).toBe(0x03);
    expect(bench.inb(LSR) & 0x02).toBe(0);
    const got: number[] = [];
    while (bench.inb(LSR) & 0x01) got.push(bench.inb(RBR));
    expect(got).toEqual([...Array(16).keys()]);
  });

  it('16450 mode overrun: the unread character is overwritten by the new one', () => {
    const { bench, uart } = setup();
    uart.receive(0x31);
    expect(uart.receive(0x32)).toBe(false);
    expect(bench.inb(LSR) & 0x03).toBe(0x03);
    expect(bench.inb(RBR)).toBe(0x32);
    expect(bench.inb(LSR) & 0x03).toBe(0);
  });

  it('reports parity and framing errors with the character at the top of the FIFO', () => {
    const { bench, uart } = setup();
    bench.outb(FCR, 0x01);
    uart.receive(0x41);
    uart.receive(0x42, RX_PARITY_ERROR);
    uart.receive(0x43, RX_FRAMING_ERROR);
    // FIFO error bit: some character in the FIFO carries an error.
    expect(bench.inb(LSR) & 0x8d).toBe(0x81);
    expect(bench.inb(RBR)).toBe(0x41);
    expect(bench.inb(LSR) & 0x8d).toBe(0x85);
    expect(bench.inb(RBR)).toBe(0x42);
    expect(bench.inb(LSR) & 0x8d).toBe(0x89);
    expect(bench.inb(RBR)).toBe(0x43);
    expect(bench.inb(LSR) & 0x8d).toBe(0x00);
  });

  it('a break loads one zero character with BI set', () => {
    const { bench, uart } = setup();
    bench.outb(FCR, 0x01);
    uart.receiveBreak();
    expect(bench.inb(LSR) & 0x91).toBe(0x91);
    expect(bench.inb(RBR)).toBe(0);
    expect(bench.inb(LSR) & 0x91).toBe(0);
  });

  it('bit 7 is always 0 in 16450 mode', () => {
    const { bench, uart } = setup();
    uart.receive(0x41, RX_PARITY_ERROR);
    expect(bench.inb(LSR) & 0x85).toBe(0x05);
  });

  it('writes are ignored', () => {
    const { bench } = setup();
    bench.outb(LSR, 0x1f);
    bench.outb(MSR, 0x0f);
    expect(bench.inb(LSR)).toBe(0x60);
    expect(bench.inb(MSR) & 0x0f).toBe(0);
  });
});

describe('interrupt identification: priorities and clearing', () => {
  it('reports line status > received data > THR empty > modem status, each cleared as documented', () => {
    const { bench, uart } = setup();
    bench.outb(MCR, 0x08);
    bench.outb(IER, 0x0f);
    // THRE is requested at once (THR empty when ETBEI was set).
    uart.receive(0x41);
    uart.receive(0x42); // overrun in 16450 mode
    uart.setModemInputs({ cts: false });
    expect(bench.inb(IIR)).toBe(0x06);
    bench.inb(LSR);
    expect(bench.inb(IIR)).toBe(0x04);
    bench.inb(RBR);
    expect(bench.inb(IIR)).toBe(0x02);
    // Reading the IIR with THRE as the source cleared it.
    expect(bench.inb(IIR)).toBe(0x00);
    bench.inb(MSR);
    expect(bench.inb(IIR)).toBe(0x01);
    expect(bench.irq(4).level).toBe(false);
  });

  it('received data available outranks the character timeout', () => {
    const { bench, uart } = setup();
    bench.outb(FCR, 0x41); // trigger 4 (4 character times at 115200 baud: 347 us)
    bench.outb(IER, 0x01);
    uart.receive(1);
    bench.advance(10_000_000);
    expect(bench.inb(IIR)).toBe(0xcc);
    for (const b of [2, 3, 4]) uart.receive(b);
    expect(bench.inb(IIR)).toBe(0xc4);
  });

  it('interrupt sources disabled in IER are not reported', () => {
    const { bench, uart } = setup();
    uart.receive(0x41);
    uart.receive(0x42);
    uart.setModemInputs({ dsr: false });
    expect(bench.inb(IIR)).toBe(0x01);
  });
});

describe('transmitter holding register empty interrupt', () => {
  it('is requested when ETBEI is enabled with THR empty, cleared by an IIR read', () => {
    const { bench } = setup();
    bench.outb(IER, 0x02);
    expect(bench.inb(IIR)).toBe(0x02);
    expect(bench.inb(IIR)).toBe(0x01);
  });

  it('is cleared by writing THR and comes back when the FIFO empties into the shift register', () => {
    const { bench } = setup();
    bench.outb(FCR, 0x01);
    bench.outb(MCR, 0x08);
    bench.outb(IER, 0x02);
    const irq = bench.irq(4);
    expect(irq.level).toBe(true);
    bench.outb(THR, 1);
    bench.outb(THR, 2);
    bench.outb(THR, 3);
    expect(irq.level).toBe(false);
    expect(bench.inb(IIR)).toBe(0xc1);
    bench.advance(CHAR_115200_8N1);
    expect(irq.level).toBe(false); // one still waits in the FIFO
    bench.advance(CHAR_115200_8N1);
    expect(irq.level).toBe(true);
    expect(bench.inb(LSR) & 0x60).toBe(0x20);
    expect(bench.inb(IIR)).toBe(0xc2);
    expect(irq.level).toBe(false);
  });
});

describe('THR empty interrupt in FIFO mode: the delayed indication', () => {
  // Datasheet, FIFO interrupt mode operation: the transmitter FIFO empty indication is delayed
  // one character time minus the last stop bit time when THRE=1 and the FIFO has not held two
  // bytes at once since the last THRE=1; the first one after changing FCR bit 0 is immediate.
  const BIT = Math.ceil(1e9 / 115200);

  function fifoTx() {
    const r = setup();
    r.bench.outb(FCR, 0x01);
    r.bench.outb(IER, 0x02);
    expect(r.bench.inb(IIR)).toBe(0xc2); // immediate after changing FCR bit 0
    expect(r.bench.inb(IIR)).toBe(0xc1);
    return r;
  }

  it('a single character: THRE interrupt one character time minus a stop bit later', () => {
    const { bench } = fifoTx();
    bench.outb(THR, 0x41);
    expect(bench.inb(LSR) & 0x60).toBe(0x20);
    expect(bench.inb(IIR)).toBe(0xc1);
    bench.advance(CHAR_115200_8N1 - BIT - 1);
    expect(bench.inb(IIR)).toBe(0xc1);
    bench.advance(1);
    expect(bench.inb(IIR)).toBe(0xc2);
  });

  it('two bytes at once in the FIFO: the interrupt comes as the FIFO empties, undelayed', () => {
    const { bench } = fifoTx();
    bench.outb(THR, 0x41);
    bench.outb(THR, 0x42);
    bench.outb(THR, 0x43);
    bench.advance(CHAR_115200_8N1);
    expect(bench.inb(IIR)).toBe(0xc1); // one still waits
    bench.advance(CHAR_115200_8N1);
    expect(bench.inb(IIR)).toBe(0xc2);
  });

  it('writing THR before the delayed interrupt cancels it', () => {
    const { bench } = fifoTx();
    bench.outb(THR, 0x41);
    bench.advance(BIT);
    bench.outb(THR, 0x42);
    bench.advance(CHAR_115200_8N1 - BIT);
    expect(bench.inb(IIR)).toBe(0xc1);
  });

  it('16450 mode is not delayed', () => {
    const { bench } = setup();
    bench.outb(IER, 0x02);
    bench.inb(IIR);
    bench.outb(THR, 0x41);
    expect(bench.inb(IIR)).toBe(0x02);
  });
});

describe('modem status register', () => {
  it('reports line changes as deltas, cleared by reading the MSR', () => {
    const { bench, uart } = setup({}, { modemInputs: 0 });
    expect(bench.inb(MSR)).toBe(0x00);
    uart.setModemInputs({ cts: true, dsr: true, dcd: true });
    expect(bench.inb(MSR)).toBe(0xb0 | 0x0b);
    expect(bench.inb(MSR)).toBe(0xb0);
  });

  it('TERI is set only on the trailing edge of RI', () => {
    const { bench, uart } = setup({}, { modemInputs: 0 });
    uart.setModemInputs({ ri: true });
    expect(bench.inb(MSR)).toBe(0x40);
    uart.setModemInputs({ ri: false });
    expect(bench.inb(MSR)).toBe(0x04);
  });

  it('raises the modem status interrupt when EDSSI is set', () => {
    const { bench, uart } = setup();
    bench.outb(MCR, 0x08);
    bench.outb(IER, 0x08);
    uart.setModemInputs({ dcd: false });
    expect(bench.irq(4).level).toBe(true);
    expect(bench.inb(IIR)).toBe(0x00);
    bench.inb(MSR);
    expect(bench.irq(4).level).toBe(false);
  });

  it('drives DTR, RTS, OUT1 and OUT2 from the MCR as output lines', () => {
    const { bench, uart } = setup();
    bench.outb(MCR, 0x05);
    expect([uart.dtr.level, uart.rts.level, uart.out1.level, uart.out2.level]).toEqual([true, false, true, false]);
    bench.outb(MCR, 0x0a);
    expect([uart.dtr.level, uart.rts.level, uart.out1.level, uart.out2.level]).toEqual([false, true, false, true]);
  });
});

describe('loopback (MCR bit 4)', () => {
  it('returns transmitted characters to the receiver after one character time, not to the host', () => {
    const { bench, sent } = setup();
    bench.outb(FCR, 0x01);
    bench.outb(MCR, 0x10);
    bench.outb(THR, 0x55);
    bench.outb(THR, 0xaa);
    bench.advance(CHAR_115200_8N1);
    expect(bench.inb(LSR) & 0x01).toBe(1);
    bench.advance(CHAR_115200_8N1);
    expect(bench.inb(RBR)).toBe(0x55);
    expect(bench.inb(RBR)).toBe(0xaa);
    expect(sent).toEqual([]);
  });

  it('connects RTS to CTS, DTR to DSR, OUT1 to RI and OUT2 to DCD', () => {
    const { bench } = setup({}, { modemInputs: 0 });
    bench.outb(MCR, 0x10);
    bench.inb(MSR);
    bench.outb(MCR, 0x12);
    expect(bench.inb(MSR)).toBe(0x11);
    bench.outb(MCR, 0x11);
    expect(bench.inb(MSR)).toBe(0x23);
    bench.outb(MCR, 0x14);
    expect(bench.inb(MSR)).toBe(0x42);
    bench.outb(MCR, 0x18);
    expect(bench.inb(MSR)).toBe(0x8c);
  });

  it('forces the modem outputs inactive and disconnects the serial input', () => {
    const { bench, uart } = setup();
    bench.outb(MCR, 0x1f);
    expect([uart.dtr.level, uart.rts.level, uart.out1.level, uart.out2.level]).toEqual([false, false, false, false]);
    expect(uart.receive(0x41)).toBe(false);
    expect(bench.inb(LSR) & 0x01).toBe(0);
  });

  it('keeps the receive and transmit interrupts working (INTR pin)', () => {
    const { bench, uart } = setup({}, { paced: false });
    bench.outb(MCR, 0x10);
    bench.outb(IER, 0x01);
    bench.outb(THR, 0x41);
    expect(bench.inb(IIR)).toBe(0x04);
    expect(uart.intr.level).toBe(true);
  });
});

describe('PC interrupt gating by OUT2 (a PC deviation from the chip alone)', () => {
  it('drives the IRQ wire only while OUT2 is set', () => {
    const { bench, uart } = setup();
    const irq = bench.irq(4);
    bench.outb(IER, 0x02);
    expect(uart.intr.level).toBe(true);
    expect(irq.level).toBe(false);
    bench.outb(MCR, 0x08);
    expect(irq.level).toBe(true);
    bench.outb(MCR, 0x00);
    expect(irq.level).toBe(false);
  });

  it('loopback forces OUT2 inactive, so the IRQ wire stays low', () => {
    const { bench, uart } = setup();
    bench.outb(IER, 0x02);
    bench.outb(MCR, 0x18);
    expect(uart.intr.level).toBe(true);
    expect(bench.irq(4).level).toBe(false);
  });

  it('out2GatesIrq: false drives the wire from INTR alone', () => {
    const { bench } = setup({}, { out2GatesIrq: false });
    bench.outb(IER, 0x02);
    expect(bench.irq(4).level).toBe(true);
  });
});

describe('resources', () => {
  it('COM2 at 2F8h on IRQ 3 next to COM1', () => {
    const bench = createTestBench([uartModule(), uartModule({ iobase: 0x2f8, irq: 3 }, { id: 'uart2', token: UART2 })]);
    bench.outb(0x2f8 + 7, 0x22);
    bench.outb(0x3f8 + 7, 0x11);
    expect(bench.inb(0x2ff)).toBe(0x22);
    expect(bench.inb(0x3ff)).toBe(0x11);
    bench.outb(0x2f8 + 4, 0x08);
    bench.outb(0x2f8 + 1, 0x02);
    expect(bench.irq(3).level).toBe(true);
    expect(bench.irq(4).level).toBe(false);
    expect(bench.get(UART2).id).toBe('uart2');
  });
});

describe('bad resources', () => {
  it('are refused with a typed error and leave nothing claimed', () => {
    const bus = new Bus();
    expect(() => bus.plug(new Uart('uart1', { irq: 99 }))).toThrow(BusRangeError);
    const blocker = bus.io.claim('other', 0x3fc, 1, { read8: () => 0, write8: () => {} });
    expect(() => bus.plug(new Uart('uart1'))).toThrow(PortConflictError);
    blocker.release();
    const uart = new Uart('uart1');
    bus.plug(uart);
    bus.io.out8(0x3ff, 0x42);
    expect(bus.io.in8(0x3ff)).toBe(0x42);
  });
});

describe('host side', () => {
  it('attach() feeds an Observable of bytes to the receiver', () => {
    const { bench, uart } = setup();
    const input = new Subject<number>();
    bench.outb(FCR, 0x01);
    const sub = uart.attach(input);
    input.next(0x68);
    input.next(0x69);
    sub.unsubscribe();
    input.next(0x21);
    expect(bench.inb(RBR)).toBe(0x68);
    expect(bench.inb(RBR)).toBe(0x69);
    expect(bench.inb(LSR) & 0x01).toBe(0);
  });

  it('input is an Observer: an Observable subscribed to it feeds the receiver', () => {
    const { bench, uart } = setup();
    const input = new Subject<number>();
    input.subscribe(uart.input);
    input.next(0x41);
    input.complete();
    expect(bench.inb(RBR)).toBe(0x41);
  });

  it('LCR bit 6 holds the transmit line in break', () => {
    const { bench, uart } = setup();
    bench.outb(LCR, 0x43);
    expect(uart.txBreak.level).toBe(true);
    bench.outb(LCR, 0x03);
    expect(uart.txBreak.level).toBe(false);
  });
});

describe('host side: paced input (feed)', () => {
  it('delivers one byte per character time, the first one character time after it was queued', () => {
    const { bench, uart } = setup();
    bench.outb(FCR, 0x01);
    expect(uart.feed('abc')).toBe(3);
    bench.advance(CHAR_115200_8N1 - 1);
    expect(bench.inb(LSR) & 0x01).toBe(0);
    bench.advance(1);
    expect(bench.inb(RBR)).toBe(0x61);
    bench.advance(2 * CHAR_115200_8N1);
    expect(bench.inb(RBR)).toBe(0x62);
    expect(bench.inb(RBR)).toBe(0x63);
    expect(uart.fedPending).toBe(0);
  });

  it('waits while the receiver is full instead of overrunning it', () => {
    const { bench, uart } = setup();
    bench.outb(FCR, 0x01);
    uart.feed(Array.from({ length: 40 }, (_, i) => i));
    bench.advance(100 * CHAR_115200_8N1);
    expect(bench.inb(LSR) & 0x03).toBe(0x01); // data ready, no overrun
    expect(uart.fedPending).toBe(24);
    const got: number[] = [];
    for (let i = 0; i < 400 && got.length < 40; i++) {
      while (bench.inb(LSR) & 0x01) got.push(bench.inb(RBR));
      bench.advance(CHAR_115200_8N1);
    }
    expect(got).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('in 16450 mode, waits for each character to be read', () => {
    const { bench, uart } = setup();
    uart.feed([1, 2]);
    bench.advance(10 * CHAR_115200_8N1);
    expect(bench.inb(LSR) & 0x03).toBe(0x01);
    expect(bench.inb(RBR)).toBe(1);
    bench.advance(CHAR_115200_8N1);
    expect(bench.inb(RBR)).toBe(2);
  });

  it('holds the queue in loopback (SIN disconnected) and delivers after it', () => {
    const { bench, uart } = setup();
    bench.outb(MCR, 0x10);
    uart.feed([7]);
    bench.advance(10 * CHAR_115200_8N1);
    expect(bench.inb(LSR) & 0x01).toBe(0);
    bench.outb(MCR, 0x00);
    bench.advance(CHAR_115200_8N1);
    expect(bench.inb(RBR)).toBe(7);
  });
});

describe('port-write fuzz', () => {
  it('thousands of random accesses, host input and time steps keep the state inside its bounds', () => {
    const { bench, uart } = setup();
    const rng = new SeededRandom(16550);
    const s = uart.state;
    for (let i = 0; i < 30_000; i++) {
      const op = rng.below(10);
      const port = BASE + rng.below(8);
      if (op < 4) bench.outb(port, rng.below(256));
      else if (op < 7) bench.inb(port);
      else if (op === 7) uart.receive(rng.below(256), rng.below(4) === 0 ? RX_PARITY_ERROR : 0);
      else if (op === 8) {
        if (rng.below(8) === 0) uart.feed([rng.below(256), rng.below(256)]);
        else uart.setModemInputs({ cts: rng.below(2) === 1, ri: rng.below(2) === 1 });
      }
      else bench.advance(rng.below(2_000_000));
      expect(s.rxCount).toBeGreaterThanOrEqual(0);
      expect(s.rxCount).toBeLessThanOrEqual(s.fcr & 1 ? 16 : 1);
      expect(s.txCount).toBeLessThanOrEqual(s.fcr & 1 ? 16 : 1);
      expect(s.ier & ~0x0f).toBe(0);
      expect(s.mcr & ~0x1f).toBe(0);
      const iir = bench.inb(IIR);
      expect([0x01, 0x06, 0x04, 0x0c, 0x02, 0x00]).toContain(iir & 0x0f);
    }
  });
});
