// @backplane/bus/testing: the device test kit.
export { TestBench, IrqProbe, createTestBench } from './bench';
export type { IrqChange, TestBenchOptions } from './bench';
export { FakeDmaController } from './fake-dma';
export type { FakeDmaProgram } from './fake-dma';
export {
  PostCodeLatch,
  POST_CODE_LATCH,
  postCodeLatchModule,
  CountdownTimer,
  COUNTDOWN_TIMER,
  CountdownRegister,
  countdownTimerModule,
} from './examples';
export type { PostCodeResources, CountdownResources } from './examples';
