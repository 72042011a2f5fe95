import { defineState, field, subsection, type StateOf } from '@backplane/vmstate';
import { CRTC_REGISTERS, MODE3_ATTR, MODE3_CRTC, MODE3_GC, MODE3_MISC, MODE3_SEQ } from './registers';

const u8 = field.u8();

/**
 * Every guest-visible register of the adapter (the text buffer itself is RAM of the bus and
 * travels with the RAM).
 *
 * Version history: 1 = first version.
 */
export const vgaState = defineState({
  name: 'vga',
  version: 1,
  fields: {
    misc: field.u8({ default: MODE3_MISC }),
    featureControl: field.u8({ range: [0, 0x0b] }),
    crtcIndex: field.u8({ range: [0, 0x3f] }),
    crtc: field.array(u8, CRTC_REGISTERS, { default: [...MODE3_CRTC] }),
    seqIndex: field.u8({ range: [0, 7] }),
    seq: field.array(u8, 5, { default: [...MODE3_SEQ] }),
    gcIndex: field.u8({ range: [0, 0x0f] }),
    gc: field.array(u8, 9, { default: [...MODE3_GC] }),
    attrIndex: field.u8({ range: [0, 0x3f], default: 0x20 }),
    attr: field.array(u8, 21, { default: [...MODE3_ATTR] }),
    dacMask: field.u8({ default: 0xff }),
    dacReadIndex: field.u8(),
    dacWriteIndex: field.u8(),
    /** The last DAC index written was the read index (3C7h): the DAC state port reports it. */
    dacReading: field.bool(),
    /** 256 colours x (red, green, blue), 6 bits each. */
    dac: field.bytes(768, { default: defaultDac(), check: (v) => v.every((c) => c < 64) || 'DAC component above 63' }),
  },
  subsections: [
    // Rare: the guest is between the index and data writes of the attribute controller, or
    // between the components of a DAC entry. Older readers assume neither.
    subsection({
      name: 'access-in-progress',
      version: 1,
      needed: (s) => s.attrFlipFlop === true || s.dacComponent !== 0,
      fields: {
        /** false: the next 3C0h write is an index; true: it is data. */
        attrFlipFlop: field.bool({ default: false }),
        /** Which of red, green, blue the next 3C9h access is. */
        dacComponent: field.u8({ range: [0, 2], default: 0 }),
      },
    }),
  ],
});

export type VgaState = StateOf<typeof vgaState>;

/** The 16 text colours in the first 64 entries (EGA-compatible rgbRGB, each primary 0/21/42/63). */
function defaultDac(): Uint8Array {
  const dac = new Uint8Array(768);
  for (let i = 0; i < 64; i++) {
    const level = (hi: number, lo: number) => ((i >> hi) & 1) * 42 + ((i >> lo) & 1) * 21;
    dac[i * 3] = level(2, 5);
    dac[i * 3 + 1] = level(1, 4);
    dac[i * 3 + 2] = level(0, 3);
  }
  return dac;
}

export function initialState(): VgaState {
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
    dac: defaultDac(),
  };
}
