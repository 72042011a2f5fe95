// @backplane/dev-pic: two Intel 8259A interrupt controllers in the PC/AT cascade.
export { Pic } from './Pic';
export type { PicResources } from './Pic';
export { PIC, picModule } from './module';
export { initialPicState, picChipState, picState } from './state';
export type { PicChipState, PicState } from './state';
export {
  ICW1_IC4,
  ICW1_LTIM,
  ICW1_SELECT,
  ICW1_SNGL,
  ICW4_AEOI,
  ICW4_SFNM,
  ICW4_UPM,
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
  OCW3_SELECT,
  OCW3_SMM,
  PIC_ELCR_IOBASE,
  PIC_MASTER_IOBASE,
  PIC_SLAVE_IOBASE,
} from './registers';
