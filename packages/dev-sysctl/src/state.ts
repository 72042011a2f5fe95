/** Everything the guest can see of the system control ports. */
export interface SystemControlState {
  /** Port 61h bits 0-3 as last written. */
  portB: number;
  /** Port 92h as last written (a hardware reset clears it, bit 0 included). */
  portA: number;
}

export function initialState(): SystemControlState {
  return { portB: 0, portA: 0 };
}
