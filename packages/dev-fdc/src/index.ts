// @backplane/dev-fdc: Intel 82077AA-compatible floppy disk controller.
export { COMMAND_TABLE, FDC_DEFAULTS, Fdc, FdcError, RECALIBRATE_STEPS } from './Fdc';
export type { FdcResources, FloppyMedia, InsertOptions } from './Fdc';
export { FDC, fdcModule } from './module';
export { Cmd, CmdFlag, Config, Dir, Dor, Dsr, Hds, Msr, Reg, Sra, Srb, St0, St1, St2, St3, VERSION_82077AA } from './registers';
export { DRIVE_LAST_TRACK, Op, Phase, Stage, fdcDriveState, fdcState, fdcTransferState, initialState } from './state';
export type { DriveState, FdcState, TransferState } from './state';
