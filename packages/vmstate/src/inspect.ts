// Read any stream without the device packages: sections, versions, subsections, field values
// (decoded with the description the stream carries), record checksums; on corruption, the byte
// offset and the section.
import { ByteReader, FRAME_HEAD } from './bytes';
import { ChunkSource, type StreamSource } from './chunks';
import type { AnyDescriptor } from './descriptor';
import { StreamFormatError, VmstateError } from './errors';
import { descriptorFromSchema, encodeJsonValue, type JsonValue, type SchemaDocument } from './schema';
import { readSectionPayload } from './section';
import { DEFAULT_LIMITS, RamRound, RecordType, checkManifest, readHeader, readRecord, recordTypeName, type Manifest } from './stream';

export interface InspectRecord {
  offset: number;
  type: string;
  id: number;
  size: number;
  crc: string;
  /** What the record holds: device and state, RAM region and round. */
  what?: string;
}

export interface InspectSection {
  device: string;
  instance: number;
  state: string;
  version: number;
  subsections: string[];
  offset: number;
  crc: string;
  /** Field values (bigint as {bigint}, bytes as {hex}); absent when the section could not be decoded. */
  values?: Record<string, JsonValue>;
  error?: string;
}

export interface InspectRam {
  name: string;
  size: number;
  pageSize: number;
  records: number;
  pages: { all: number; dirty: number; final: number; zero: number };
}

export interface InspectReport {
  ok: boolean;
  formatVersion?: number;
  bytes: number;
  manifest?: Manifest;
  description?: SchemaDocument;
  records: InspectRecord[];
  sections: InspectSection[];
  ram: InspectRam[];
  /** The first error: message, code, byte offset and section when known. */
  error?: { message: string; code: string; offset?: number; device?: string; section?: string };
}

const crcHex = (n: number): string => '0x' + n.toString(16).padStart(8, '0');

/** Inspect a stream; never throws for bad input (the report carries the error). */
export async function inspectStream(source: StreamSource, opts: { values?: boolean } = {}): Promise<InspectReport> {
  const src = new ChunkSource(source);
  const report: InspectReport = { ok: false, bytes: 0, records: [], sections: [], ram: [] };
  let manifest: Manifest | undefined;
  const descriptors = new Map<string, AnyDescriptor>();
  try {
    report.formatVersion = await readHeader(src);
    const ctxOf = (type: number, id: number) => {
      const s = type === RecordType.Section ? manifest?.sections[id] : undefined;
      if (s) return { device: `${s.device}#${s.instance}`, section: s.state };
      const r = type === RecordType.Ram || type === RecordType.RamDigest ? manifest?.ram[id] : undefined;
      return r ? { section: `ram "${r.name}"` } : {};
    };
    for (let n = 0; ; n++) {
      const rec = await readRecord(src, DEFAULT_LIMITS, ctxOf, report.formatVersion);
      const entry: InspectRecord = { offset: rec.offset, type: recordTypeName(rec.type), id: rec.id, size: rec.size, crc: crcHex(rec.crc) };
      report.records.push(entry);
      if (n === 0 && rec.type !== RecordType.Manifest) throw new StreamFormatError('the first record is not the manifest', { offset: rec.offset });
      if (rec.type === RecordType.Manifest) {
        manifest = checkManifest(JSON.parse(new TextDecoder().decode(rec.payload)), rec.offset);
        report.manifest = manifest;
        report.ram = manifest.ram.map((r) => ({ name: r.name, size: r.size, pageSize: r.pageSize, records: 0, pages: { all: 0, dirty: 0, final: 0, zero: 0 } }));
      } else if (rec.type === RecordType.Description) {
        const doc = JSON.parse(new TextDecoder().decode(rec.payload)) as SchemaDocument;
        report.description = doc;
        for (const s of doc.states ?? []) descriptors.set(s.name, descriptorFromSchema(s));
      } else if (rec.type === RecordType.Section) {
        const ms = manifest?.sections[rec.id];
        entry.what = ms ? `${ms.device}#${ms.instance} ${ms.state} v${ms.version}` : `section id ${rec.id} (not in the manifest)`;
        const sec: InspectSection = { device: ms?.device ?? '?', instance: ms?.instance ?? 0, state: ms?.state ?? '?', version: ms?.version ?? 0, subsections: [], offset: rec.offset, crc: crcHex(rec.crc) };
        report.sections.push(sec);
        const desc = ms && descriptors.get(ms.state);
        if (!desc) sec.error = 'no description of this state in the stream';
        else {
          try {
            const r = new ByteReader(rec.payload, 0, rec.payload.length, rec.offset + FRAME_HEAD, ctxOf(rec.type, rec.id));
            r.now = 0x10000000000000 / 2; // timers show as offsets from this arbitrary now
            const d = readSectionPayload(desc, r);
            sec.subsections = d.subsections;
            if (opts.values !== false) sec.values = encodeJsonValue(timersAsOffsets(desc, d.state as Record<string, unknown>, r.now)) as Record<string, JsonValue>;
          } catch (e) {
            sec.error = e instanceof Error ? e.message : String(e);
          }
        }
      } else if (rec.type === RecordType.Ram || rec.type === RecordType.RamDigest) {
        const r = report.ram[rec.id];
        const p = rec.payload;
        if (r && p.length >= 8) {
          const count = new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(4, true);
          const round = p[0]!;
          entry.what = `RAM "${r.name}" round ${round === RamRound.All ? 'all' : round === RamRound.Dirty ? 'dirty' : round === RamRound.Final ? 'final' : round}, ${count} pages`;
          r.records++;
          const key = round === RamRound.All ? 'all' : round === RamRound.Dirty ? 'dirty' : 'final';
          r.pages[key] += count;
          const flagsAt = 8 + count * 4;
          for (let i = 0; i < count && flagsAt + i < p.length; i++) if (p[flagsAt + i]! & 1) r.pages.zero++;
        }
      } else if (rec.type === RecordType.End) {
        report.ok = (await src.atEnd()) && report.sections.every((s) => !s.error);
        if (!(await src.atEnd())) throw new StreamFormatError('bytes after the end record', { offset: src.offset });
        break;
      }
    }
  } catch (e) {
    if (e instanceof VmstateError) report.error = { message: e.message, code: e.code, ...e.context };
    else report.error = { message: e instanceof Error ? e.message : String(e), code: 'format', offset: src.offset };
    report.ok = false;
  }
  report.bytes = src.offset;
  return report;
}

/** Timers are shown as the offset from the saving machine's now (what the stream holds). */
function timersAsOffsets(desc: AnyDescriptor, state: Record<string, unknown>, now: number): Record<string, unknown> {
  const out: Record<string, unknown> = { ...state };
  for (const [k, f] of Object.entries(desc.fields as Record<string, { kind: string }>)) {
    if (f.kind === 'timer') out[k] = (state[k] as number) < 0 ? 'not armed' : `+${(state[k] as number) - now} ns`;
  }
  return out;
}

/** A human-readable rendering of a report. */
export function formatInspect(r: InspectReport): string {
  const lines: string[] = [];
  lines.push(`stream format ${r.formatVersion ?? '?'}, ${r.bytes} bytes read, ${r.ok ? 'OK' : 'NOT OK'}`);
  if (r.manifest) lines.push(`machine type: ${r.manifest.machineType}`);
  for (const s of r.sections) {
    lines.push('');
    lines.push(`section ${s.device}#${s.instance}: ${s.state} version ${s.version} at byte ${s.offset}, crc ${s.crc}${s.subsections.length ? `, subsections: ${s.subsections.join(', ')}` : ''}`);
    if (s.error) lines.push(`  ERROR: ${s.error}`);
    if (s.values) for (const [k, v] of Object.entries(s.values)) lines.push(`  ${k} = ${JSON.stringify(v)}`);
  }
  for (const m of r.ram) {
    lines.push('');
    lines.push(`RAM "${m.name}": ${m.size} bytes in ${m.pageSize}-byte pages; ${m.records} records; pages sent: all ${m.pages.all}, dirty ${m.pages.dirty}, final ${m.pages.final} (${m.pages.zero} as zero pages)`);
  }
  lines.push('');
  lines.push('records:');
  for (const rec of r.records) lines.push(`  @${rec.offset} ${rec.type} id ${rec.id}, ${rec.size} bytes, crc ${rec.crc}${rec.what ? ` (${rec.what})` : ''}`);
  if (r.error) {
    lines.push('');
    lines.push(`ERROR: ${r.error.message}`);
  }
  return lines.join('\n') + '\n';
}
