// A tiny WebAssembly binary encoder: enough to write small, hand-made modules (one exported
// memory, functions over i32/i64/v128 locals) as readable instruction lists instead of opaque
// byte arrays. Encoding per the WebAssembly core specification (binary format, chapter 5) and
// the fixed-width SIMD extension (opcodes behind the 0xFD prefix).

/** Value types. */
export const T = { i32: 0x7f, i64: 0x7e, v128: 0x7b } as const;
export type ValType = (typeof T)[keyof typeof T];

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (for i32.const / i64.const immediates within the safe-integer range). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n = Math.floor(n / 128);
    const done = (n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

const simd = (op: number): number[] => [0xfd, ...uleb(op)];
/** memarg: alignment exponent and offset. */
const mem = (align: number, offset = 0): number[] => [...uleb(align), ...uleb(offset)];

/** The instructions the modules here use (each returns its encoded bytes). */
export const op = {
  block: (): number[] => [0x02, 0x40],
  loop: (): number[] => [0x03, 0x40],
  if: (): number[] => [0x04, 0x40],
  else: (): number[] => [0x05],
  end: (): number[] => [0x0b],
  br: (depth: number): number[] => [0x0c, ...uleb(depth)],
  brIf: (depth: number): number[] => [0x0d, ...uleb(depth)],
  return: (): number[] => [0x0f],
  localGet: (i: number): number[] => [0x20, ...uleb(i)],
  localSet: (i: number): number[] => [0x21, ...uleb(i)],
  localTee: (i: number): number[] => [0x22, ...uleb(i)],
  i32Const: (v: number): number[] => [0x41, ...sleb(v)],
  i32Eqz: (): number[] => [0x45],
  i32LtU: (): number[] => [0x49],
  i32Add: (): number[] => [0x6a],
  i32Sub: (): number[] => [0x6b],
  i32And: (): number[] => [0x71],
  v128Load: (offset = 0): number[] => [...simd(0x00), ...mem(4, offset)],
  v128Store: (offset = 0): number[] => [...simd(0x0b), ...mem(4, offset)],
  v128Or: (): number[] => simd(0x50),
  v128AnyTrue: (): number[] => simd(0x53),
  i64x2ExtendLowI32x4U: (): number[] => simd(0xc9),
  i64x2ExtendHighI32x4U: (): number[] => simd(0xca),
  i64x2Shl: (): number[] => simd(0xcb),
  i64x2Add: (): number[] => simd(0xce),
};

export interface WasmFunction {
  name: string;
  params: ValType[];
  results: ValType[];
  /** Extra locals after the parameters. */
  locals: ValType[];
  body: number[][];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}
function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}
function name(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

/**
 * A module with one memory and the given exported functions. `pages` (a number): its own memory of
 * that many 64 KiB pages, exported as "memory". `{ importMin }`: the memory is imported as
 * env.memory (at least `importMin` pages), so that an instance works on memory the caller made.
 */
export function assemble(pages: number | { importMin: number }, fns: readonly WasmFunction[]): Uint8Array {
  const types = fns.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  const code = fns.map((f) => {
    const groups: number[][] = [];
    for (const t of f.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]!++;
      else groups.push([1, t]);
    }
    const body = [...vec(groups.map(([n, t]) => [...uleb(n!), t!])), ...f.body.flat(), 0x0b];
    return [...uleb(body.length), ...body];
  });
  const own = typeof pages === 'number';
  const exports = [...(own ? [[...name('memory'), 0x02, 0x00]] : []), ...fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...(own ? [] : section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(pages.importMin)]]))),
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...(own ? section(5, vec([[0x00, ...uleb(pages)]])) : []),
    ...section(7, vec(exports)),
    ...section(10, vec(code)),
  ]);
}
