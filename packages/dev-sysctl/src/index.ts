// @backplane/dev-sysctl: PC/AT system control ports 61h and 92h.
export { SystemControl } from './SystemControl';
export type { SystemControlResources } from './SystemControl';
export { systemControlState } from './state';
export type { SystemControlState } from './state';
export { SYSTEM_CONTROL, systemControlModule } from './module';
export {
  A_A20,
  A_FAST_RESET,
  B_IOCHK_DISABLE,
  B_PARITY_DISABLE,
  B_REFRESH,
  B_SPEAKER_DATA,
  B_TIMER2_GATE,
  B_TIMER2_OUT,
  PORT_A,
  PORT_B,
  REFRESH_PERIOD_NS,
} from './registers';
