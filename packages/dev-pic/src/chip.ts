import {
  ICW1_IC4,
  ICW1_LTIM,
  ICW1_SNGL,
  ICW2_VECTOR_MASK,
  ICW4_AEOI,
  ICW4_SFNM,
  OCW2_COMMAND_SHIFT,
  OCW2_LEVEL_MASK,
  OCW2_NONSPECIFIC_EOI,
  OCW2_ROTATE_AEOI_CLEAR,
  OCW2_ROTATE_AEOI_SET,
  OCW2_ROTATE_NONSPECIFIC_EOI,
  OCW2_ROTATE_SPECIFIC_EOI,
  OCW2_SET_PRIORITY,
  OCW2_SPECIFIC_EOI,
  OCW3_ESMM,
  OCW3_POLL,
  OCW3_RIS,
  OCW3_RR,
  OCW3_SMM,
} from './registers';
import type { PicChipState } from './state';

// One 8259A's logic (datasheet 231468) as functions of its plain state: input edge/level
// sensing, priority resolution, the acknowledge, and the command words. Nothing allocates.

/** Inputs that are level-triggered: ICW1 LTIM for all, or the ELCR bit per input. */
export function levelMask(ch: PicChipState): number {
  return ch.icw1 & ICW1_LTIM ? 0xff : ch.elcr;
}

/**
 * An IR input changed. A rising edge sets the IRR bit in both modes. In both modes the request
 * must still be high when it is acknowledged (datasheet: "In both the edge and level triggered
 * modes the IR inputs must remain high until after the falling edge of the first INTA"), so a
 * falling input clears its IRR bit; the modes differ after the acknowledge (see `acknowledge`).
 */
export function setInput(ch: PicChipState, ir: number, level: boolean): void {
  const bit = 1 << ir;
  if (((ch.inputs & bit) !== 0) === level) return;
  if (level) {
    ch.inputs |= bit;
    ch.irr |= bit;
  } else {
    ch.inputs &= ~bit;
    ch.irr &= ~bit;
  }
}

/**
 * HIGHEST[(lowest << 8) | mask]: the set bit of `mask` with the highest priority when IR `lowest`
 * has the lowest priority (so IR lowest+1 mod 8 has the highest), or -1 for an empty mask.
 */
const HIGHEST = (() => {
  const t = new Int8Array(8 * 256);
  for (let lowest = 0; lowest < 8; lowest++)
    for (let mask = 0; mask < 256; mask++) {
      let found = -1;
      for (let k = 1; k <= 8 && found < 0; k++) if (mask & (1 << ((lowest + k) & 7))) found = (lowest + k) & 7;
      t[(lowest << 8) | mask] = found;
    }
  return t;
})();

/** The set bit of `mask` with the highest priority under the current rotation, or -1. */
export function highest(ch: PicChipState, mask: number): number {
  return HIGHEST[(ch.lowestPriority << 8) | (mask & 0xff)]!;
}

/** Priority rank of an input: 0 is the highest. */
function rank(ch: PicChipState, ir: number): number {
  return (ir - ch.lowestPriority - 1) & 7;
}

/**
 * The input this chip would interrupt for now (INT high), or -1: the highest-priority unmasked
 * request, if it outranks everything in service (fully nested mode). In special mask mode, in-
 * service levels that are masked do not block; in special fully nested mode (a master), a
 * slave's input in service does not block further requests from that slave.
 */
export function request(ch: PicChipState, isMaster: boolean): number {
  const pending = ch.irr & ~ch.imr & 0xff;
  if (pending === 0) return -1;
  const p = highest(ch, pending);
  let blocking = ch.isr;
  if (ch.specialMask) blocking &= ~ch.imr;
  const s = highest(ch, blocking);
  if (s < 0) return p;
  const rp = rank(ch, p);
  const rs = rank(ch, s);
  if (rp < rs) return p;
  if (rp === rs && isMaster && ch.icw4 & ICW4_SFNM && !(ch.icw1 & ICW1_SNGL) && ch.icw3 & (1 << p)) return p;
  return -1;
}

/**
 * The acknowledge (INTA, or a poll read): the chosen input's IRR bit is cleared in edge mode (the
 * input must go low and high again to request again; in level mode it requests while high) and
 * its ISR bit set, or in automatic EOI mode left clear (rotating priority if asked). Returns the
 * input, or -1 when no request is left (the caller answers the spurious IR7).
 */
export function acknowledge(ch: PicChipState, isMaster: boolean): number {
  const ir = request(ch, isMaster);
  if (ir < 0) return -1;
  const bit = 1 << ir;
  if (!(levelMask(ch) & bit)) ch.irr &= ~bit;
  if (ch.icw4 & ICW4_AEOI) {
    if (ch.rotateInAeoi) ch.lowestPriority = ir;
  } else ch.isr |= bit;
  return ir;
}

/** ICW1: start initialization (datasheet "Initialization Command Words"). */
function icw1(ch: PicChipState, value: number): void {
  ch.icw1 = value & 0x0f;
  ch.initStep = 1;
  // The edge sense circuit is reset: an input must go low then high again to request.
  ch.irr = ch.inputs & levelMask(ch);
  ch.isr = 0;
  ch.imr = 0;
  ch.lowestPriority = 7; // IR7 lowest priority
  ch.icw3 = 7; // slave mode address set to 7
  ch.specialMask = false;
  ch.readIsr = false; // status read set to IRR
  ch.pollPending = false;
  ch.rotateInAeoi = false;
  if (!(value & ICW1_IC4)) ch.icw4 = 0; // ICW4 functions cleared when no ICW4 follows
}

/** OCW2: EOI, rotation and priority commands. */
function ocw2(ch: PicChipState, value: number): void {
  const level = value & OCW2_LEVEL_MASK;
  switch (value >> OCW2_COMMAND_SHIFT) {
    case OCW2_NONSPECIFIC_EOI:
    case OCW2_ROTATE_NONSPECIFIC_EOI: {
      // The highest-priority in-service level; in special mask mode a masked one is left alone.
      const ir = highest(ch, ch.specialMask ? ch.isr & ~ch.imr : ch.isr);
      if (ir < 0) return;
      ch.isr &= ~(1 << ir);
      if (value >> OCW2_COMMAND_SHIFT === OCW2_ROTATE_NONSPECIFIC_EOI) ch.lowestPriority = ir;
      return;
    }
    case OCW2_SPECIFIC_EOI:
      ch.isr &= ~(1 << level);
      return;
    case OCW2_ROTATE_SPECIFIC_EOI:
      ch.isr &= ~(1 << level);
      ch.lowestPriority = level;
      return;
    case OCW2_SET_PRIORITY:
      ch.lowestPriority = level;
      return;
    case OCW2_ROTATE_AEOI_SET:
      ch.rotateInAeoi = true;
      return;
    case OCW2_ROTATE_AEOI_CLEAR:
      ch.rotateInAeoi = false;
      return;
    default:
      return; // 010: no operation
  }
}

/** OCW3: special mask mode, poll, read register. */
function ocw3(ch: PicChipState, value: number): void {
  if (value & OCW3_ESMM) ch.specialMask = (value & OCW3_SMM) !== 0;
  if (value & OCW3_POLL) ch.pollPending = true;
  if (value & OCW3_RR) ch.readIsr = (value & OCW3_RIS) !== 0;
}

/** A write with A0 = 0: ICW1 (D4 = 1), OCW3 (D3 = 1) or OCW2. */
export function writeCommand(ch: PicChipState, value: number): void {
  if (value & 0x10) icw1(ch, value);
  else if (value & 0x08) ocw3(ch, value);
  else ocw2(ch, value);
}

/** A write with A0 = 1: the next ICW of an initialization, else OCW1 (the IMR). */
export function writeData(ch: PicChipState, value: number): void {
  switch (ch.initStep) {
    case 1:
      ch.vectorBase = value & ICW2_VECTOR_MASK;
      ch.initStep = !(ch.icw1 & ICW1_SNGL) ? 2 : ch.icw1 & ICW1_IC4 ? 3 : 0;
      return;
    case 2:
      ch.icw3 = value;
      ch.initStep = ch.icw1 & ICW1_IC4 ? 3 : 0;
      return;
    case 3:
      ch.icw4 = value & 0x1f;
      ch.initStep = 0;
      return;
    default:
      ch.imr = value;
  }
}

/** A read with A0 = 0 (no poll pending): IRR or ISR as OCW3 last selected. */
export function readRegister(ch: PicChipState): number {
  return ch.readIsr ? ch.isr : ch.irr;
}

/** Whether this chip is in cascade mode with a slave on input `ir`. */
export function hasSlaveOn(ch: PicChipState, ir: number): boolean {
  return !(ch.icw1 & ICW1_SNGL) && (ch.icw3 & (1 << ir)) !== 0;
}
