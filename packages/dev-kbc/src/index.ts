// @backplane/dev-kbc: Intel 8042 keyboard controller with a PS/2 keyboard.
export { Kbc, TYPING_INTERVAL_NS } from './Kbc';
export type { KbcOptions, KbcResources } from './Kbc';
export { Keyboard, UnknownKeyError } from './Keyboard';
export type { KeyId } from './Keyboard';
export { KBC, kbcModule } from './module';
export type { KbcModuleOptions } from './module';
export { TYPING_QUEUE_MAX, initialState, kbcStateDescriptor, keyboardStateDescriptor } from './state';
export type { KbcState, KeyboardState } from './state';
export { KEYS, PAUSE, PRINT_SCREEN, SET2_TO_SET1 } from './scancodes';
export { KEY_ORDER, UntypableCharacterError, textToEvents } from './typing';
export {
  AUX_IRQ,
  CB_AUX_DISABLE,
  CB_AUX_INT,
  CB_KBD_DISABLE,
  CB_KBD_INT,
  CB_SYS,
  CB_TRANSLATE,
  DATA_PORT,
  KBD_IRQ,
  OP_A20,
  OP_RESET,
  PS2_BYTE_NS,
  STATUS_PORT,
  ST_AUX_OBF,
  ST_CMD,
  ST_IBF,
  ST_OBF,
  ST_PARITY,
  ST_SYS,
  ST_TIMEOUT,
  ST_UNLOCKED,
} from './registers';
