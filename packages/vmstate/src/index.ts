// @backplane/vmstate: versioned state descriptors and the framed, checked migration stream.
export { defineState, subsection, field } from './descriptor';
export type {
  StateOf,
  ValueOf,
  ValuesOf,
  Field,
  FieldKind,
  ScalarKind,
  FieldOptions,
  IntOptions,
  BigOptions,
  VarOptions,
  Fields,
  LoadedState,
  CheckResult,
  LoadInfo,
  StateHooks,
  StateDefinition,
  StateDescriptor,
  SubsectionDefinition,
  SubsectionDescriptor,
  AnyDescriptor,
  AnySubsection,
} from './descriptor';
export { saveSection, loadSection, defaultState, validate, copyState } from './section';
export type { SaveOptions, LoadOptions, VersionPins } from './section';
export type { Migratable } from './migratable';
export {
  saveMachine,
  saveMachineToBytes,
  loadMachine,
  ramRecords,
  streamHeader,
  subsectionPaths,
  MAGIC,
  STREAM_FORMAT_VERSION,
  RecordType,
  RamRound,
  DEFAULT_PAGE_SIZE,
  DEFAULT_LIMITS,
} from './stream';
export type { DeviceEntry, RamRegion, SaveMachineOptions, LoadMachineOptions, LoadResult, Manifest, ManifestSection, ManifestRam, StreamLimits, RamRoundKind, StreamFormat, RamRecordOptions } from './stream';
export type { StreamSource } from './chunks';
export { schemaOf, stateSchema, descriptorFromSchema, parseSchema, SCHEMA_FORMAT } from './schema';
export type { SchemaDocument, StateSchema, FieldSchema, SubsectionSchema, JsonValue } from './schema';
export { crc32c } from './crc32c';
export { ramDigest, ramDigestBackend, RAM_DIGEST_BYTES, allocateRam, isWasmRam, type AllocateRamOptions } from './ramdigest';
export {
  VmstateError,
  DescriptorError,
  StreamFormatError,
  TruncatedStreamError,
  ChecksumError,
  VersionError,
  UnknownSubsectionError,
  ValidationError,
  LimitError,
  SectionMismatchError,
  HookError,
} from './errors';
export type { ErrorContext } from './errors';
export { inspectStream, formatInspect } from './inspect';
export type { InspectReport, InspectSection, InspectRecord, InspectRam } from './inspect';
export { checkCompatibility, formatCheck } from './check';
export type { CheckReport, StateReport, Change, Direction, Effect, Verdict } from './check';
