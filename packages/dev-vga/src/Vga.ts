import type { Bus, Device, PortClaim, VirtualClock } from '@backplane/bus';
import { CP437 } from './cp437';
import * as R from './registers';
import type { Migratable } from '@backplane/vmstate';
import { initialState, vgaState, type VgaState } from './state';

export interface VgaResources {
  /** Physical address of the text buffer (B8000h). */
  readonly textBase: number;
}

/** One character cell: code point (CP437) and attribute byte. */
export interface TextCell {
  readonly char: number;
  readonly attr: number;
}

/** What the screen shows now. */
export interface TextScreen {
  readonly columns: number;
  readonly rows: number;
  /** Each row as Unicode text (CP437 mapped), full width. */
  readonly lines: readonly string[];
  readonly cells: readonly (readonly TextCell[])[];
  readonly cursor: { readonly row: number; readonly column: number; readonly visible: boolean };
}

const PORTS_LOW = 0x3c0; // 3C0h-3CFh
const PORTS_CRTC = 0x3d4; // 3D4h-3D5h
const PORT_STATUS = 0x3da;

/**
 * A VGA-compatible adapter in colour text mode: its registers (CRT controller, sequencer,
 * graphics and attribute controllers, DAC, miscellaneous output), input status 1 timed from the
 * virtual clock, and the text buffer at B8000h as RAM the CPU writes directly. The host reads
 * the screen with `screen()`.
 */
export class Vga implements Device, Migratable<typeof vgaState> {
  readonly descriptor = vgaState;
  readonly state: VgaState = Object.seal(initialState());
  private bus: Bus | undefined;
  private clock: VirtualClock | undefined;
  private claims: PortClaim[] = [];

  constructor(
    readonly id: string,
    readonly resources: VgaResources = { textBase: R.TEXT_BASE },
  ) {}

  plug(bus: Bus): void {
    this.bus = bus;
    this.clock = bus.clock;
    bus.memory.mapRam(this.id, this.resources.textBase, R.TEXT_SIZE);
    this.claims.push(
      bus.io.claim(this.id, PORTS_LOW, 16, { read8: (o) => this.readLow(o), write8: (o, v) => this.writeLow(o, v) }),
      bus.io.claim(`${this.id}.crtc`, PORTS_CRTC, 2, { read8: (o) => this.readCrtc(o), write8: (o, v) => this.writeCrtc(o, v) }),
      bus.io.claim(`${this.id}.status`, PORT_STATUS, 1, {
        read8: () => this.readStatus(),
        write8: (_o, v) => {
          this.state.featureControl = v & 0x0b;
        },
      }),
    );
  }

  unplug(): void {
    for (const c of this.claims) c.release();
    this.claims = [];
    this.bus?.memory.unmap(this.id, this.resources.textBase);
  }

  /** Power-on state: text mode 3 (as after the video BIOS's mode set), buffer unchanged. */
  reset(): void {
    Object.assign(this.state, initialState());
  }

  saveState(): VgaState {
    return this.state;
  }

  /** Adopt a validated state (after a load). */
  loadState(state: VgaState): void {
    Object.assign(this.state, state, {
      crtc: [...state.crtc],
      seq: [...state.seq],
      gc: [...state.gc],
      attr: [...state.attr],
      dac: new Uint8Array(state.dac),
    });
  }

  /** The visible text: 80 x 25 cells from the CRTC start address, and the cursor. */
  screen(): TextScreen {
    const columns = 80;
    const rows = 25;
    const ram = this.bus?.memory.ram;
    const base = this.resources.textBase;
    const crtc = this.state.crtc;
    const start = ((crtc[R.CRTC_START_HIGH]! << 8) | crtc[R.CRTC_START_LOW]!) * 2;
    const lines: string[] = [];
    const cells: TextCell[][] = [];
    for (let r = 0; r < rows; r++) {
      let line = '';
      const row: TextCell[] = [];
      for (let c = 0; c < columns; c++) {
        const off = (start + (r * columns + c) * 2) & (R.TEXT_SIZE - 1);
        const ch = ram ? ram[base + off]! : 0x20;
        const attr = ram ? ram[base + off + 1]! : 0x07;
        line += CP437[ch];
        row.push({ char: ch, attr });
      }
      lines.push(line);
      cells.push(row);
    }
    const cursorAddress = (crtc[R.CRTC_CURSOR_HIGH]! << 8) | crtc[R.CRTC_CURSOR_LOW]!;
    const rel = cursorAddress - start / 2;
    const visible = (crtc[R.CRTC_CURSOR_START]! & 0x20) === 0 && rel >= 0 && rel < columns * rows;
    return {
      columns,
      rows,
      lines,
      cells,
      cursor: { row: Math.max(0, Math.floor(rel / columns)), column: ((rel % columns) + columns) % columns, visible },
    };
  }

  /** The screen as plain text: rows with trailing blanks removed, trailing empty rows dropped. */
  text(): string {
    const lines = this.screen().lines.map((l) => l.replace(/[\s\u00a0]+$/u, ''));
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n');
  }

  // ---- ports ------------------------------------------------------------------------------

  private readLow(o: number): number {
    const s = this.state;
    switch (PORTS_LOW + o) {
      case R.ATTR_INDEX:
        return s.attrIndex;
      case R.ATTR_DATA_READ:
        return s.attr[s.attrIndex & 0x1f] ?? 0;
      case R.MISC_WRITE:
        return 0x10; // input status 0: switch sense (colour monitor present)
      case R.SEQ_INDEX:
        return s.seqIndex;
      case R.SEQ_DATA:
        return s.seq[s.seqIndex] ?? 0xff;
      case R.DAC_MASK:
        return s.dacMask;
      case R.DAC_READ_INDEX:
        return s.dacReading ? 0x03 : 0x00;
      case R.DAC_WRITE_INDEX:
        return s.dacWriteIndex;
      case R.DAC_DATA: {
        const v = s.dac[s.dacReadIndex * 3 + s.dacComponent]!;
        this.stepDac(true);
        return v;
      }
      case R.FEATURE_READ:
        return s.featureControl;
      case R.MISC_READ:
        return s.misc;
      case R.GC_INDEX:
        return s.gcIndex;
      case R.GC_DATA:
        return s.gc[s.gcIndex] ?? 0xff;
      default:
        return 0xff;
    }
  }

  private writeLow(o: number, v: number): void {
    const s = this.state;
    switch (PORTS_LOW + o) {
      case R.ATTR_INDEX:
        if (!s.attrFlipFlop) s.attrIndex = v & 0x3f;
        else if ((s.attrIndex & 0x1f) < s.attr.length) s.attr[s.attrIndex & 0x1f] = v;
        s.attrFlipFlop = !s.attrFlipFlop;
        break;
      case R.MISC_WRITE:
        s.misc = v;
        break;
      case R.SEQ_INDEX:
        s.seqIndex = v & 0x07;
        break;
      case R.SEQ_DATA:
        if (s.seqIndex < s.seq.length) s.seq[s.seqIndex] = v;
        break;
      case R.DAC_MASK:
        s.dacMask = v;
        break;
      case R.DAC_READ_INDEX:
        s.dacReadIndex = v;
        s.dacComponent = 0;
        s.dacReading = true;
        break;
      case R.DAC_WRITE_INDEX:
        s.dacWriteIndex = v;
        s.dacComponent = 0;
        s.dacReading = false;
        break;
      case R.DAC_DATA:
        s.dac[s.dacWriteIndex * 3 + s.dacComponent] = v & 0x3f;
        this.stepDac(false);
        break;
      case R.GC_INDEX:
        s.gcIndex = v & 0x0f;
        break;
      case R.GC_DATA:
        if (s.gcIndex < s.gc.length) s.gc[s.gcIndex] = v;
        break;
      default:
        break; // 3C1h, 3C3h, 3CAh, 3CCh, 3CDh: read-only or not decoded
    }
  }

  private stepDac(reading: boolean): void {
    const s = this.state;
    if (++s.dacComponent < 3) return;
    s.dacComponent = 0;
    if (reading) s.dacReadIndex = (s.dacReadIndex + 1) & 0xff;
    else s.dacWriteIndex = (s.dacWriteIndex + 1) & 0xff;
  }

  private readCrtc(o: number): number {
    const s = this.state;
    if (o === 0) return s.crtcIndex;
    return s.crtcIndex < R.CRTC_REGISTERS ? s.crtc[s.crtcIndex]! : 0xff;
  }

  private writeCrtc(o: number, v: number): void {
    const s = this.state;
    if (o === 0) {
      s.crtcIndex = v & 0x3f;
      return;
    }
    const i = s.crtcIndex;
    if (i >= R.CRTC_REGISTERS) return;
    // Registers 0-7 are write-protected while 11h bit 7 is set (7 keeps its line-compare bit 4).
    if (i <= 7 && s.crtc[R.CRTC_VRETRACE_END]! & 0x80) {
      if (i === 7) s.crtc[7] = (s.crtc[7]! & ~0x10) | (v & 0x10);
      return;
    }
    s.crtc[i] = v;
  }

  /** Input status 1 from the position of the beam at virtual now; resets the attribute flip-flop. */
  private readStatus(): number {
    this.state.attrFlipFlop = false;
    const now = this.clock?.now ?? 0;
    const line = Math.floor(now / R.LINE_NS) % R.LINES_PER_FRAME;
    const inLine = now % R.LINE_NS;
    let v = 0;
    if (line >= R.ACTIVE_LINES || inLine >= R.ACTIVE_LINE_NS) v |= R.STATUS_DISPLAY_DISABLED;
    if (line >= R.VSYNC_FIRST_LINE && line < R.VSYNC_FIRST_LINE + R.VSYNC_LINES) v |= R.STATUS_VRETRACE;
    return v;
  }
}
