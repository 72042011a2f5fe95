import { deviceModule } from '@backplane/bus';
import type { ContainerModule, ServiceIdentifier } from 'inversify';
import { DebugConsole, type DebugConsoleResources } from './DebugConsole';
import { DEBUGCON_PORT_E9, DEBUGCON_READBACK } from './registers';

/** Token of the first debug console; pass another token for a second one. */
export const DEBUG_CONSOLE: ServiceIdentifier<DebugConsole> = Symbol.for('@backplane/dev-debugcon:DebugConsole');

/** A debug console at `iobase` (default 0xE9). */
export function debugConsoleModule(
  resources: Partial<DebugConsoleResources> = {},
  id = 'debugcon',
  token: ServiceIdentifier<DebugConsole> = DEBUG_CONSOLE,
): ContainerModule {
  return deviceModule(token, () => new DebugConsole(id, { iobase: DEBUGCON_PORT_E9, readback: DEBUGCON_READBACK, ...resources }));
}
