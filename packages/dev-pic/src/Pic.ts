import { IrqLine, type Bus, type Device, type InterruptController, type PortClaim } from '@backplane/bus';
import { validate } from '@backplane/vmstate';
import { acknowledge, hasSlaveOn, levelMask, readRegister, request, setInput, writeCommand, writeData } from './chip';
import {
  CASCADE_INPUT,
  ELCR_MASTER_WRITABLE,
  ELCR_SLAVE_WRITABLE,
  IRQ2_REDIRECT_INPUT,
  PIC_ELCR_IOBASE,
  PIC_MASTER_IOBASE,
  PIC_SLAVE_IOBASE,
  POLL_INTERRUPT,
  PORT_COMMAND,
  SPURIOUS_LEVEL,
} from './registers';
import { initialPicState, picState, type PicChipState, type PicState } from './state';

export interface PicResources {
  /** Master 8259A (PC/AT: 0x20). */
  readonly masterIobase: number;
  /** Slave 8259A (PC/AT: 0xA0). */
  readonly slaveIobase: number;
  /** Edge/level control registers, two ports (PCI-era PCs: 0x4D0); -1 for an AT without them. */
  readonly elcrIobase: number;
}

/**
 * Two 8259As as the IBM PC/AT wires them: the master takes ISA IRQ 0, 1, 3-7; the slave IRQ
 * 8-15 with its INT on master input 2; ISA IRQ 2 (the XT's IRQ 2 pin) is redirected to slave
 * input 1 (IRQ 9). The inputs come from the bus's IRQ wires; the master's INT is `intr`, and
 * `acknowledge()` is the CPU's INTA cycle (the `InterruptController` contract).
 */
export class Pic implements Device, InterruptController {
  /** All guest-visible state. */
  state: PicState = initialPicState();
  /** The master's INT output, to the CPU's INTR input. */
  readonly intr: IrqLine;
  /** Bus wire levels as last reported (host side; wire 2 and 9 share slave input 1). */
  private wires = 0;
  private claims: PortClaim[] = [];
  private disconnect: (() => void) | undefined;

  constructor(
    readonly id: string,
    readonly resources: PicResources = { masterIobase: PIC_MASTER_IOBASE, slaveIobase: PIC_SLAVE_IOBASE, elcrIobase: PIC_ELCR_IOBASE },
  ) {
    this.intr = new IrqLine(`${id}.intr`);
  }

  plug(bus: Bus): void {
    const { masterIobase, slaveIobase, elcrIobase } = this.resources;
    this.claims.push(
      bus.io.claim(`${this.id}.master`, masterIobase, 2, {
        read8: (o) => this.readChip(this.state.master, true, o),
        write8: (o, v) => this.writeChip(this.state.master, o, v),
      }),
      bus.io.claim(`${this.id}.slave`, slaveIobase, 2, {
        read8: (o) => this.readChip(this.state.slave, false, o),
        write8: (o, v) => this.writeChip(this.state.slave, o, v),
      }),
    );
    if (elcrIobase >= 0)
      this.claims.push(
        bus.io.claim(`${this.id}.elcr`, elcrIobase, 2, {
          read8: (o) => (o === 0 ? this.state.master.elcr : this.state.slave.elcr),
          write8: (o, v) => this.writeElcr(o === 0 ? this.state.master : this.state.slave, v & (o === 0 ? ELCR_MASTER_WRITABLE : ELCR_SLAVE_WRITABLE)),
        }),
      );
    this.disconnect = bus.irq.connect((irq, level) => this.wire(irq, level));
  }

  unplug(): void {
    for (const c of this.claims) c.release();
    this.claims = [];
    this.disconnect?.();
    this.disconnect = undefined;
    this.intr.lower();
  }

  /** Hardware reset: both chips to their power-on state; inputs keep their levels (edge sense reset). */
  reset(): void {
    this.state = initialPicState();
    this.state.master.inputs = this.wires & ~(1 << CASCADE_INPUT) & 0xff;
    this.state.slave.inputs = this.slaveInputs();
    this.update();
  }

  /** INTA: the vector of the highest-priority request (spurious IRQ 7 / 15 when it went away). */
  acknowledge(): number {
    const { master, slave } = this.state;
    const ir = acknowledge(master, true);
    let vector: number;
    if (ir < 0) vector = master.vectorBase | SPURIOUS_LEVEL;
    else if (hasSlaveOn(master, ir)) {
      // The slave whose ID matches puts the vector on the bus; no slave answers: the bus floats.
      if ((slave.icw3 & 7) !== ir) vector = 0xff;
      else {
        const sir = acknowledge(slave, false);
        vector = slave.vectorBase | (sir < 0 ? SPURIOUS_LEVEL : sir);
        this.slaveAcknowledged();
      }
    } else vector = master.vectorBase | ir;
    this.update();
    return vector;
  }

  /** The state to save (a copy). */
  saveState(): PicState {
    return structuredClone(this.state);
  }

  /**
   * Adopt a loaded state (checked against the descriptor first: an invalid object throws a
   * ValidationError and nothing is applied), then drive INTR from it. Input levels are taken
   * from the state; later wire changes apply as edges against them.
   */
  loadState(state: PicState): void {
    validate(picState, state);
    this.state = structuredClone(state);
    this.update();
  }

  private slaveInputs(): number {
    const w = this.wires;
    return ((w >> 8) & 0xff) | (w & (1 << CASCADE_INPUT) ? 1 << IRQ2_REDIRECT_INPUT : 0);
  }

  /** A bus wire changed. */
  private wire(irq: number, level: boolean): void {
    const bit = 1 << irq;
    this.wires = level ? this.wires | bit : this.wires & ~bit;
    if (irq === CASCADE_INPUT || irq === 8 + IRQ2_REDIRECT_INPUT)
      setInput(this.state.slave, IRQ2_REDIRECT_INPUT, (this.slaveInputs() & (1 << IRQ2_REDIRECT_INPUT)) !== 0);
    else if (irq >= 8 && irq < 16) setInput(this.state.slave, irq - 8, level);
    else if (irq < 8) setInput(this.state.master, irq, level);
    this.update();
  }

  /**
   * The slave's INT falls during its acknowledge sequence; if it still has a request (automatic
   * EOI, or special fully nested mode), INT rises again afterwards: a new edge on master input 2.
   */
  private slaveAcknowledged(): void {
    this.cascadeInput(false);
  }

  /**
   * Master input 2 follows the slave's INT. On the PC the master keeps a cascade request it has
   * seen (edge-triggered) even if the slave's INT falls before the INTA cycle: the slave then
   * answers its default IR7 (vector base + 7, "spurious IRQ 15") while the master marks IR2 in
   * service, the behaviour PC operating systems handle. A level-triggered master input 2 (ICW1
   * LTIM) follows INT exactly.
   */
  private cascadeInput(level: boolean): void {
    const master = this.state.master;
    const bit = 1 << CASCADE_INPUT;
    if (level || levelMask(master) & bit) setInput(master, CASCADE_INPUT, level);
    else master.inputs &= ~bit;
  }

  /** Propagate the slave's INT to master input 2 and the master's INT to `intr`. */
  private update(): void {
    const { master, slave } = this.state;
    this.cascadeInput(request(slave, false) >= 0);
    this.intr.set(request(master, true) >= 0);
  }

  private readChip(ch: PicChipState, isMaster: boolean, offset: number): number {
    if (offset !== PORT_COMMAND) return ch.imr;
    if (ch.pollPending) {
      // Poll: this read is the acknowledge; bit 7 says whether there was a request.
      ch.pollPending = false;
      const ir = acknowledge(ch, isMaster);
      if (!isMaster && ir >= 0) this.slaveAcknowledged();
      this.update();
      return ir < 0 ? 0 : POLL_INTERRUPT | ir;
    }
    return readRegister(ch);
  }

  private writeChip(ch: PicChipState, offset: number, value: number): void {
    if (offset === PORT_COMMAND) writeCommand(ch, value);
    else writeData(ch, value);
    this.update();
  }

  private writeElcr(ch: PicChipState, value: number): void {
    ch.elcr = value;
    // Inputs now level-triggered request exactly while high.
    ch.irr = (ch.irr & ~value) | (ch.inputs & value);
    this.update();
  }
}
