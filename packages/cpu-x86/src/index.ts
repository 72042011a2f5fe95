// @backplane/cpu-x86: the x86 processor, 8086 / 80186 / 80286 real mode.
export { CpuStateError, X86Cpu } from './Cpu';
export type { CpuBus, CpuOptions, StopReason } from './Cpu';
export { cpuStateDescriptor } from './state';
export type { CpuSavedState, CpuState } from './state';
export type { CpuModel } from './registers';
export {
  AF,
  CF,
  DF,
  IF,
  OF,
  PF,
  SF,
  TF,
  ZF,
  AX,
  CX,
  DX,
  BX,
  SP,
  BP,
  SI,
  DI,
  ES,
  CS,
  SS,
  DS,
} from './registers';
export { SingleStepFormatError, SingleStepMetadata, SingleStepRunner, parseSingleStepFile } from './singlestep';
export type { SingleStepRunnerOptions, SingleStepStatus, SingleStepTest, SingleStepMismatch } from './singlestep';
