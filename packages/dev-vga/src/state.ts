import { MODE3_ATTR, MODE3_CRTC, MODE3_GC, MODE3_MISC, MODE3_SEQ } from './registers';

/** Every guest-visible register of the adapter (the text buffer itself is RAM of the bus). */
export interface VgaState {
  misc: number;
  featureControl: number;
  crtcIndex: number;
  crtc: number[];
  seqIndex: number;
  seq: number[];
  gcIndex: number;
  gc: number[];
  attrIndex: number;
  /** false: the next 3C0h write is an index; true: it is data. */
  attrFlipFlop: boolean;
  attr: number[];
  dacMask: number;
  dacReadIndex: number;
  dacWriteIndex: number;
  /** Which of red, green, blue the next 3C9h access is (0-2). */
  dacComponent: number;
  /** The last DAC index written was the read index (3C7h): the DAC state port reports it. */
  dacReading: boolean;
  /** 256 colours x (red, green, blue), 6 bits each. */
  dac: Uint8Array;
}

export function initialState(): VgaState {
  const dac = new Uint8Array(768);
  // The 16 text colours in the first 64 entries, as the attribute palette addresses them
  // (EGA-compatible 2-bit rgbRGB: each primary 0, 21, 42 or 63).
  for (let i = 0; i < 64; i++) {
    const level = (hi: number, lo: number) => ((i >> hi) & 1) * 42 + ((i >> lo) & 1) * 21;
    dac[i * 3] = level(2, 5);
    dac[i * 3 + 1] = level(1, 4);
    dac[i * 3 + 2] = level(0, 3);
  }
  return {
    misc: MODE3_MISC,
    featureControl: 0,
    crtcIndex: 0,
    crtc: [...MODE3_CRTC],
    seqIndex: 0,
    seq: [...MODE3_SEQ],
    gcIndex: 0,
    gc: [...MODE3_GC],
    attrIndex: 0x20,
    attrFlipFlop: false,
    attr: [...MODE3_ATTR],
    dacMask: 0xff,
    dacReadIndex: 0,
    dacWriteIndex: 0,
    dacComponent: 0,
    dacReading: false,
    dac,
  };
}
