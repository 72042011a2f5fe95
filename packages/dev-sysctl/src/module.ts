import { deviceModule } from '@backplane/bus';
import type { ContainerModule, ServiceIdentifier } from 'inversify';
import { PORT_A, PORT_B } from './registers';
import { SystemControl, type SystemControlResources } from './SystemControl';

export const SYSTEM_CONTROL: ServiceIdentifier<SystemControl> = Symbol.for('@backplane/dev-sysctl:SystemControl');

/** Ports 61h and 92h (PC/AT defaults; `portA: -1` leaves 92h out, as on an original AT). */
export function systemControlModule(resources: Partial<SystemControlResources> = {}, id = 'sysctl'): ContainerModule {
  return deviceModule(SYSTEM_CONTROL, () => new SystemControl(id, { portB: PORT_B, portA: PORT_A, ...resources }));
}
