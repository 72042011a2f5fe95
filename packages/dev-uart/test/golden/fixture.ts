// The states the golden streams of this package hold, written out by hand (not produced by
// the device), so the streams stay meaningful whatever the device code becomes.
import type { UartState } from '../../src/index';

/** Virtual time at which the golden streams were saved. */
export const GOLDEN_NOW = 1_000_000;

/**
 * Version 1, busy: FIFO mode (trigger 14), 8 characters received (the sixth with a parity
 * error), 3 waiting to be sent with a fourth half-way through the shift register, a character
 * timeout being timed, 115200 baud 8N1, OUT2 and all interrupts enabled.
 */
export function goldenUartV1(): UartState {
  const rxData = new Uint8Array(16);
  const rxFlags = new Uint8Array(16);
  for (let i = 0; i < 8; i++) rxData[i] = 0x30 + i;
  rxFlags[5] = 0x04;
  const txData = new Uint8Array(16);
  txData.set([0x62, 0x63, 0x64], 1);
  return {
    dll: 1,
    dlm: 0,
    ier: 0x0f,
    fcr: 0xc1,
    lcr: 0x03,
    mcr: 0x0b,
    lsr: 0x80,
    msr: 0xb0,
    scr: 0x5a,
    modemInputs: 0xb0,
    rxData,
    rxFlags,
    rxHead: 0,
    rxCount: 8,
    txData,
    txHead: 1,
    txCount: 3,
    tsr: 0x61,
    tsrFull: true,
    txDoneAt: GOLDEN_NOW + 43_403,
    thrInterrupt: false,
    timeoutAt: GOLDEN_NOW + 300_000,
    timeoutPending: false,
    // Subsections thre-delay and host-input (added after this golden was written): absent, so their defaults.
    txBurst: false,
    threDelayAt: -1,
    hostInput: new Uint8Array(0),
    hostInputAt: -1,
  };
}
