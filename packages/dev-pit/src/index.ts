// @backplane/dev-pit: the Intel 8254 programmable interval timer.
export { Pit } from './Pit';
export type { PitCounter, PitResources } from './Pit';
export { PIT, pitModule } from './module';
export { initialPitState, pitCounterState, pitState } from './state';
export type { CounterState, PitState } from './state';
export { edgeTime, ticksAt } from './timebase';
export {
  CW_BCD,
  MODE_HARDWARE_STROBE,
  MODE_INTERRUPT_ON_TERMINAL_COUNT,
  MODE_ONE_SHOT,
  MODE_RATE_GENERATOR,
  MODE_SOFTWARE_STROBE,
  MODE_SQUARE_WAVE,
  PIT_HZ,
  PIT_IOBASE,
  PIT_IRQ,
  PORT_CONTROL,
  PORT_COUNTER0,
  PORT_COUNTER1,
  PORT_COUNTER2,
  RW_LATCH,
  RW_LSB,
  RW_MSB,
  RW_WORD,
  STATUS_NULL_COUNT,
  STATUS_OUT,
} from './registers';
