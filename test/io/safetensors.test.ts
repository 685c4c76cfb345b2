import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSafetensors, readSafetensors, serializeSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import type { TensorRecord } from '../../src/io/tensor-record.js';
import { GOLDEN_DAE } from '../helpers/fixtures.js';

const GOLDEN = join(GOLDEN_DAE, 'golden.safetensors');
const tmp = mkdtempSync(join(tmpdir(), 'st-'));

/** Builds a file by hand: header JSON, then the data bytes. */
function handMade(header: object, data: Uint8Array, lenOverride?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(lenOverride ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors: golden file', () => {
  const { tensors } = readSafetensors(GOLDEN);

  it('holds the int64 spaced steps of SPEC §3', () => {
    const t10 = tensors.get('timesteps_T10')!;
    expect(t10.dtype).toBe('I64');
    expect(Array.from(t10.data as BigInt64Array, Number)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    const t20 = tensors.get('timesteps_T20')!;
    expect(Array.from(t20.data as BigInt64Array, Number)).toEqual(Array.from({ length: 20 }, (_, i) => 50 * i));
  });

  it('holds float64 alphas_cumprod of the linear beta schedule', () => {
    // Independent float64 computation: beta = linspace(1e-4, 0.02, 1000), alphabar_t = prod_{s<=t} (1 - beta_s).
    const abar: number[] = [];
    let acc = 1;
    for (let i = 0; i < 1000; i++) {
      acc *= 1 - (1e-4 + ((0.02 - 1e-4) * i) / 999);
      abar.push(acc);
    }
    for (const n of [10, 20]) {
      const steps = Array.from(tensors.get(`timesteps_T${n}`)!.data as BigInt64Array, Number);
      const a = tensors.get(`alphas_cumprod_T${n}`)!;
      expect(a.dtype).toBe('F64');
      expect(a.shape).toEqual([n]);
      steps.forEach((t, i) => expect(Math.abs(a.data[i] as number - abar[t]!)).toBeLessThan(1e-12));
    }
  });

  it('holds the float32 tensors the README lists, with their shapes', () => {
    expect(tensors.get('x')).toMatchObject({ dtype: 'F32', shape: [2, 1, 64, 64] });
    expect(tensors.get('z')).toMatchObject({ dtype: 'F32', shape: [2, 64] });
    for (const t of [0, 1, 250, 500, 999]) expect(tensors.get(`eps_${t}`)?.shape).toEqual([2, 1, 64, 64]);
    // x[1] is the column flip of x[0].
    const x = tensors.get('x')!.data as Float32Array;
    expect(x[64 * 64 + 10 * 64 + 63]).toBe(x[10 * 64]);
  });

  it('round-trips byte for byte in content', () => {
    const out = join(tmp, 'copy.safetensors');
    writeSafetensors(out, tensors, { note: 'copy' });
    const back = readSafetensors(out);
    expect(back.metadata).toEqual({ note: 'copy' });
    expect([...back.tensors.keys()]).toEqual([...tensors.keys()]);
    for (const [k, v] of tensors) {
      const b = back.tensors.get(k)!;
      expect([b.dtype, b.shape]).toEqual([v.dtype, v.shape]);
      expect(Buffer.from(b.data.buffer).equals(Buffer.from(v.data.buffer))).toBe(true);
    }
  });
});

describe('safetensors: dtypes', () => {
  it('stores F16 and BF16 from Float32Array, rounding to nearest even', () => {
    const values = Float32Array.from([0, -2, 1 / 3, 65504, 6e-8, 1 + 2 ** -11]);
    const tensors = new Map<string, TensorRecord>([
      ['h', { dtype: 'F16', shape: [6], data: values }],
      ['b', { dtype: 'BF16', shape: [6], data: values }],
    ]);
    const bytes = serializeSafetensors(tensors);
    const back = parseSafetensors(bytes, 'mem');
    // Half: 1/3 -> 0x3555 = 0.333251953125; 6e-8 -> subnormal 1 * 2^-24; 1 + 2^-11 is a tie, rounds to even 1.
    expect(Array.from(back.tensors.get('h')!.data as Float32Array)).toEqual([0, -2, 0.333251953125, 65504, 2 ** -24, 1]);
    // bfloat16 keeps 8 mantissa bits: 1/3 -> 0x3eab = 0.333984375; 65504 -> 65536.
    expect(Array.from(back.tensors.get('b')!.data as Float32Array).slice(0, 4)).toEqual([0, -2, 0.333984375, 65536]);
  });

  it('keeps integer and bool types', () => {
    const tensors = new Map<string, TensorRecord>([
      ['i8', { dtype: 'I8', shape: [2], data: Int8Array.from([-128, 127]) }],
      ['i16', { dtype: 'I16', shape: [1, 2], data: Int16Array.from([-3, 4]) }],
      ['i32', { dtype: 'I32', shape: [2], data: Int32Array.from([-5, 2 ** 31 - 1]) }],
      ['bool', { dtype: 'BOOL', shape: [3], data: Uint8Array.from([1, 0, 1]) }],
      ['empty', { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) }],
      ['scalar', { dtype: 'F64', shape: [], data: Float64Array.from([Math.PI]) }],
    ]);
    const back = parseSafetensors(serializeSafetensors(tensors), 'mem');
    for (const [k, v] of tensors) expect(back.tensors.get(k)).toEqual(v);
  });

  it('refuses data that does not fit dtype or shape', () => {
    const bad = new Map<string, TensorRecord>([['a', { dtype: 'F64', shape: [2], data: new Float32Array(2) }]]);
    expect(() => serializeSafetensors(bad)).toThrow(/Float64Array/);
    const short = new Map<string, TensorRecord>([['a', { dtype: 'F32', shape: [3], data: new Float32Array(2) }]]);
    expect(() => serializeSafetensors(short)).toThrow(/needs 3 elements/);
  });
});

describe('safetensors: corrupt files name the file', () => {
  const f32 = { dtype: 'F32', shape: [2] };
  const eight = new Uint8Array(8);
  const cases: [string, Uint8Array, RegExp][] = [
    ['shorter than 8 bytes', new Uint8Array(5), /truncated/],
    ['header length beyond the file', handMade({}, eight, 4000), /truncated/],
    ['header too large', handMade({}, eight, 2 ** 40), /too large/],
    ['data beyond the file', handMade({ a: { ...f32, data_offsets: [8, 16] } }, eight), /truncated/],
    ['offsets that disagree with the shape', handMade({ a: { ...f32, data_offsets: [0, 4] } }, eight), /need 8/],
    ['reversed offsets', handMade({ a: { ...f32, data_offsets: [8, 0] } }, eight), /bad data_offsets/],
    ['overlapping ranges', handMade({ a: { ...f32, data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, eight), /overlap/],
    ['an unknown dtype', handMade({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, eight), /unsupported dtype/],
    ['a non-string metadata value', handMade({ __metadata__: { a: 1 } }, eight), /__metadata__/],
  ];
  it.each(cases)('%s', (_, bytes, why) => {
    const path = join(tmp, 'bad.safetensors');
    writeFileSync(path, bytes);
    expect(() => readSafetensors(path)).toThrow(new RegExp(`bad\\.safetensors.*${why.source}`));
  });

  it('header bytes that are not JSON', () => {
    const bytes = handMade({}, eight);
    bytes[8] = 0x7b + 1;
    expect(() => parseSafetensors(bytes, 'x.st')).toThrow(/x\.st.*not UTF-8 JSON/);
  });

  it('writes atomically: a failed write leaves the old file', () => {
    const path = join(tmp, 'keep.safetensors');
    writeFileSync(path, 'old');
    const bad = new Map<string, TensorRecord>([['a', { dtype: 'F32', shape: [3], data: new Float32Array(2) }]]);
    expect(() => writeSafetensors(path, bad)).toThrow();
    expect(readFileSync(path, 'utf8')).toBe('old');
  });
});
