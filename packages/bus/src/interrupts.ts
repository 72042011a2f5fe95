import type { IrqLine } from './irq';

/**
 * What a CPU sees of an interrupt controller (an 8259A pair, an APIC later): the INTR
 * output, which the controller drives at a level, and the interrupt-acknowledge cycle, which
 * returns the vector to dispatch. The machine hands it to the CPU; neither knows the other's
 * package.
 */
export interface InterruptController {
  /** INTR: high while the controller has an unmasked request for the CPU. */
  readonly intr: IrqLine;
  /**
   * The INTA cycle (the CPU accepted INTR with IF set): returns the vector number (0-255) and
   * updates the controller's in-service state. An 8259A answers a spurious IRQ 7 / 15 when
   * the request went away.
   */
  acknowledge(): number;
}
