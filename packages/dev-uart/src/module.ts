import { deviceModule } from '@backplane/bus';
import type { ContainerModule, ServiceIdentifier } from 'inversify';
import { COM1_BASE, COM1_IRQ } from './registers';
import { Uart, type UartOptions, type UartResources } from './Uart';

/** The UART of a container (COM1 unless the module was given another token). */
export const UART: ServiceIdentifier<Uart> = Symbol.for('@backplane/dev-uart:Uart');
/** A second UART (COM2) of the same container. */
export const UART2: ServiceIdentifier<Uart> = Symbol.for('@backplane/dev-uart:Uart2');

export interface UartModuleOptions extends UartOptions {
  /** Device id on the bus (default "uart1"). */
  readonly id?: string;
  /** Token to bind the device to (default `UART`; use `UART2` for a second port). */
  readonly token?: ServiceIdentifier<Uart>;
}

/** A 16550A at COM1 (3F8h, IRQ 4) unless `resources` says otherwise (COM2: 2F8h, IRQ 3). */
export function uartModule(resources: Partial<UartResources> = {}, options: UartModuleOptions = {}): ContainerModule {
  const { id = 'uart1', token = UART, ...rest } = options;
  return deviceModule(token, () => new Uart(id, { iobase: COM1_BASE, irq: COM1_IRQ, ...resources }, rest));
}
