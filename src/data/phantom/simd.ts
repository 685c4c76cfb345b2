// The inner loop of the phantom's Gaussian blur as a tiny WebAssembly SIMD module, assembled here from bytes
// (no toolchain). It does exactly what the scalar loop does — each output is Σ_t k[t]·x[t] in double, taps
// in ascending order, rounded once to float32 — two outputs per f64x2 lane pair, 8 outputs per pass over the
// taps, so its results are bit-identical to the JS loop and it runs ~3× faster.
//
// (func (export "conv") (param $src $out $offs $taps $nTaps $count i32)
//   for x = 0; x < count; x += 8:                                ;; count: a multiple of 8
//     acc0..acc3 = f64x2(0)
//     for t = 0; t < nTaps; t++:
//       w = f64x2.splat(f64.load($taps + 8t));  p = $src + i32.load($offs + 4t) + 4x
//       acc_j += w * f64x2.promote_low_f32x4(v128.load64_zero(p + 8j))      ;; j = 0..3
//     v128.store($out + 4x,      [demote(acc0), demote(acc1)])
//     v128.store($out + 4x + 16, [demote(acc2), demote(acc3)]))
// Memory is imported as env.memory; all addresses are in bytes.

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    const b = n & 0x7f;
    n >>>= 7;
    out.push(n ? b | 0x80 : b);
  } while (n);
  return out;
};
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

const I32 = 0x7f, V128 = 0x7b;
const [SRC, OUT, OFFS, TAPS, NTAPS, COUNT, X, T, P, W, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const i32 = (n: number) => [0x41, n]; // n < 64: one-byte signed LEB
const simd = (op: number) => [0xfd, ...leb(op)];
const memarg = (align: number, offset: number) => [align, ...leb(offset)];
const [ADD, SHL, LOAD, F64_LOAD, GE_U, LT_U] = [0x6a, 0x74, 0x28, 0x2b, 0x4f, 0x49];
const [V128_LOAD64_ZERO, V128_STORE, V128_CONST, SHUFFLE, F64X2_SPLAT, DEMOTE, PROMOTE, F64X2_ADD, F64X2_MUL] = [0x5d, 0x0b, 0x0c, 0x0d, 0x14, 0x5e, 0x5f, 0xf0, 0xf2];
const [BLOCK, LOOP, BR, BR_IF, END, VOID] = [0x02, 0x03, 0x0c, 0x0d, 0x0b, 0x40];

const accumulate = (j: number) => [...get(ACC + j), ...get(W), ...get(P), ...simd(V128_LOAD64_ZERO), ...memarg(3, 8 * j), ...simd(PROMOTE), ...simd(F64X2_MUL), ...simd(F64X2_ADD), ...set(ACC + j)];
// Two demoted pairs → one f32x4: lanes 0–1 of a, then lanes 0–1 of b.
const store = (j: number, offset: number) => [...get(P), ...get(ACC + j), ...simd(DEMOTE), ...get(ACC + j + 1), ...simd(DEMOTE), ...simd(SHUFFLE), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23, ...simd(V128_STORE), ...memarg(4, offset)];

const body = [
  ...vec([[3, I32], [5, V128]]), // x, t, p; w, acc0..acc3
  ...i32(0), ...set(X),
  BLOCK, VOID, LOOP, VOID,
  ...get(X), ...get(COUNT), GE_U, BR_IF, 1,
  ...[0, 1, 2, 3].flatMap((j) => [...simd(V128_CONST), ...new Array<number>(16).fill(0), ...set(ACC + j)]),
  ...i32(0), ...set(T),
  LOOP, VOID,
  ...get(TAPS), ...get(T), ...i32(3), SHL, ADD, F64_LOAD, ...memarg(3, 0), ...simd(F64X2_SPLAT), ...set(W),
  ...get(SRC), ...get(OFFS), ...get(T), ...i32(2), SHL, ADD, LOAD, ...memarg(2, 0), ADD, ...get(X), ...i32(2), SHL, ADD, ...set(P),
  ...[0, 1, 2, 3].flatMap(accumulate),
  ...get(T), ...i32(1), ADD, ...set(T), ...get(T), ...get(NTAPS), LT_U, BR_IF, 0,
  END,
  ...get(OUT), ...get(X), ...i32(2), SHL, ADD, ...set(P),
  ...store(0, 0), ...store(2, 16),
  ...get(X), ...i32(8), ADD, ...set(X),
  BR, 0,
  END, END, END,
];

const bytes = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), 0]])), // type: (i32 × 6) → ()
  ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 1]])), // import memory, min 1 page
  ...section(3, vec([[0]])),
  ...section(7, vec([[...name('conv'), 0x00, 0]])),
  ...section(10, vec([[...leb(body.length), ...body]])),
]);

// Node has WebAssembly; the project's TypeScript libs (no DOM) do not declare it.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Memory {
    constructor(descriptor: { initial: number });
    readonly buffer: ArrayBuffer;
  }
  class Instance {
    constructor(module: Module, imports: object);
    readonly exports: Record<string, unknown>;
  }
}

const MODULE = new WebAssembly.Module(bytes);

export type Conv = (src: number, out: number, offs: number, taps: number, nTaps: number, count: number) => void;

/** A fixed-size memory of `pages` × 64 KiB (never grown, so views of it stay valid) and the kernel working in it. */
export function convMemory(pages: number): { conv: Conv; buffer: ArrayBuffer } {
  const memory = new WebAssembly.Memory({ initial: pages });
  return { conv: new WebAssembly.Instance(MODULE, { env: { memory } }).exports.conv as Conv, buffer: memory.buffer };
}
