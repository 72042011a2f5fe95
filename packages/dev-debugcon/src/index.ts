// @backplane/dev-debugcon: the debug console port.
export { DebugConsole } from './DebugConsole';
export type { DebugConsoleResources } from './DebugConsole';
export { DEBUG_CONSOLE, debugConsoleModule } from './module';
export { DEBUGCON_PORT_402, DEBUGCON_PORT_E9, DEBUGCON_READBACK } from './registers';
