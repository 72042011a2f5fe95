/** Base class of the machine's own errors. */
export class MachineError extends Error {
  override readonly name: string = 'MachineError';
}

/** A machine type name this build does not know. */
export class UnknownMachineTypeError extends MachineError {
  override readonly name = 'UnknownMachineTypeError';
  constructor(
    readonly machineType: string,
    readonly known: readonly string[],
  ) {
    super(`unknown machine type "${machineType}" (known: ${known.join(', ')})`);
  }
}

/** An option the machine cannot be built with (memory size, CPU, firmware size...). */
export class MachineConfigError extends MachineError {
  override readonly name = 'MachineConfigError';
}

/** The machine cannot be saved as asked without losing state. */
export class MachineStateError extends MachineError {
  override readonly name = 'MachineStateError';
}
