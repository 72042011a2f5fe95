import { deviceModule } from '@backplane/bus';
import type { ContainerModule, ServiceIdentifier } from 'inversify';
import { RTC_DEFAULTS, Rtc, type RtcResources } from './Rtc';

export const RTC: ServiceIdentifier<Rtc> = Symbol.for('@backplane/dev-rtc:Rtc');

/**
 * The MC146818A at ports 70h-71h on IRQ 8 (PC/AT defaults). Pass `startTime` (ms since 1970, UTC
 * fields) for a deterministic run; without it the host's time is read once, when the device is made.
 */
export function rtcModule(resources: Partial<RtcResources> = {}, id = 'rtc'): ContainerModule {
  return deviceModule(RTC, () => new Rtc(id, { ...RTC_DEFAULTS, ...resources }));
}
