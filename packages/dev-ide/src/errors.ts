/** Base class of the errors this package raises towards the host (never towards the guest). */
export class IdeError extends Error {
  override readonly name: string = 'IdeError';
}

/** A drive configuration the controller cannot use (an image that is not a whole number of sectors, media on a hard disk...). */
export class IdeConfigError extends IdeError {
  override readonly name = 'IdeConfigError';
}

/** A saved channel state that does not fit this channel (other drives attached, values out of range). */
export class IdeStateError extends IdeError {
  override readonly name = 'IdeStateError';
}
