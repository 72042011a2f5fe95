// Typed errors. Every refusal of a stream, a section or a state is a VmstateError subclass whose
// message names what it can: device (id and instance), section (descriptor name), subsection,
// field path, versions, and the byte offset in the stream.

/** Where in a stream or a state an error was found. All parts are optional. */
export interface ErrorContext {
  /** Device id and instance as `id#instance`, when loading or saving a machine. */
  device?: string;
  /** The descriptor name of the section. */
  section?: string;
  /** The subsection name (a path such as `media/changed` when nested). */
  subsection?: string;
  /** The field path inside the section, e.g. `drives[1].track`. */
  field?: string;
  /** Byte offset from the start of the stream (or of the section bytes given to loadSection). */
  offset?: number;
}

function where(ctx: ErrorContext): string {
  const parts: string[] = [];
  if (ctx.device !== undefined) parts.push(`device ${ctx.device}`);
  if (ctx.section !== undefined) parts.push(`section "${ctx.section}"`);
  if (ctx.subsection !== undefined) parts.push(`subsection "${ctx.subsection}"`);
  if (ctx.field !== undefined) parts.push(`field ${ctx.field}`);
  if (ctx.offset !== undefined) parts.push(`at byte ${ctx.offset}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** Base class of every error this package throws on purpose. */
export class VmstateError extends Error {
  /** A stable machine-readable code, e.g. `checksum`, `version-too-new`. */
  readonly code: string;
  readonly context: ErrorContext;
  /** The message without the context suffix. */
  readonly detail: string;
  constructor(code: string, detail: string, context: ErrorContext = {}) {
    super(detail + where(context));
    this.name = new.target.name;
    this.code = code;
    this.detail = detail;
    this.context = { ...context };
  }
  /** The same error with more context filled in (inner code knows the field, outer the device). */
  withContext(extra: ErrorContext): VmstateError {
    const merged: ErrorContext = { ...extra, ...this.context };
    const copy = Object.create(Object.getPrototypeOf(this) as object) as VmstateError;
    Object.assign(copy, this);
    (copy as { context: ErrorContext }).context = merged;
    copy.message = this.detail + where(merged);
    copy.stack = `${copy.name}: ${copy.message}`;
    return copy;
  }
}

/** A descriptor declaration is wrong (a programming error found by defineState). */
export class DescriptorError extends VmstateError {
  constructor(detail: string, context: ErrorContext = {}) {
    super('descriptor', detail, context);
  }
}

/** The bytes are not a stream or section of a known format: magic, format version, framing, end marker, record type. */
export class StreamFormatError extends VmstateError {
  constructor(detail: string, context: ErrorContext = {}, code = 'format') {
    super(code, detail, context);
  }
}

/** The stream or a record in it ends early. */
export class TruncatedStreamError extends StreamFormatError {
  constructor(detail: string, context: ErrorContext = {}) {
    super(detail, context, 'truncated');
  }
}

/** A record's CRC32C (or, for the page data of a format-2 RAM record, its RAM digest) does not match its bytes. */
export class ChecksumError extends StreamFormatError {
  readonly expected: number;
  readonly actual: number;
  constructor(expected: number, actual: number, context: ErrorContext = {}, check = 'CRC32C') {
    super(`checksum mismatch: stored ${check} ${hex(expected)}, computed ${hex(actual)}`, context, 'checksum');
    this.expected = expected;
    this.actual = actual;
  }
}

/** A section or subsection version outside what the loading descriptor accepts. */
export class VersionError extends VmstateError {
  readonly streamVersion: number;
  readonly minVersion: number;
  readonly version: number;
  constructor(streamVersion: number, minVersion: number, version: number, context: ErrorContext = {}) {
    const why =
      streamVersion > version
        ? `stream has version ${streamVersion}, newer than this build's version ${version}`
        : `stream has version ${streamVersion}, older than the oldest version this build reads (${minVersion})`;
    super(streamVersion > version ? 'version-too-new' : 'version-too-old', why, context);
    this.streamVersion = streamVersion;
    this.minVersion = minVersion;
    this.version = version;
  }
}

/** The stream carries a subsection the loading descriptor does not know. */
export class UnknownSubsectionError extends VmstateError {
  readonly streamVersion: number;
  constructor(name: string, streamVersion: number, context: ErrorContext = {}) {
    super('unknown-subsection', `stream carries subsection "${name}" version ${streamVersion}, which this build does not know`, { ...context, subsection: name });
    this.streamVersion = streamVersion;
  }
}

/** A decoded or saved value breaks its field's declared rules (type, range, enumeration, relation, size). */
export class ValidationError extends VmstateError {
  constructor(detail: string, context: ErrorContext = {}) {
    super('invalid', detail, context);
  }
}

/** A count or length in the stream exceeds a declared maximum or the bytes that are there. */
export class LimitError extends VmstateError {
  constructor(detail: string, context: ErrorContext = {}) {
    super('limit', detail, context);
  }
}

/** Sections of a machine stream and the machine do not match: unknown, missing or duplicate device, wrong machine type, RAM mismatch. */
export class SectionMismatchError extends VmstateError {
  constructor(code: 'unknown-section' | 'missing-section' | 'duplicate-section' | 'machine-type' | 'ram-mismatch' | 'manifest', detail: string, context: ErrorContext = {}) {
    super(code, detail, context);
  }
}

/** A descriptor hook (preSave, preLoad, postLoad) refused or threw. */
export class HookError extends VmstateError {
  constructor(hook: string, detail: string, context: ErrorContext = {}) {
    super('hook', `${hook}: ${detail}`, context);
  }
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}
