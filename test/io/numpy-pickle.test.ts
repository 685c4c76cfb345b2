import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NUMPY_HANDLERS } from '../../src/io/numpy-pickle.js';
import { unpickle } from '../../src/io/pickle.js';
import type { TensorRecord } from '../../src/io/tensor-record.js';

const fixture = (name: string): Uint8Array => readFileSync(new URL(`../fixtures/io/${name}`, import.meta.url));

// Values from test/fixtures/io/make_fixtures.py (numpy 2; numpy-core-p2 renames modules to numpy < 2 paths).
describe.each(['numpy-p2.pkl', 'numpy-p4.pkl', 'numpy-core-p2.pkl'])('numpy objects in %s', (file) => {
  const v = unpickle(fixture(file), { handlers: NUMPY_HANDLERS }) as Map<string, unknown>;
  const arr = (k: string) => v.get(k) as TensorRecord;

  it('reads arrays with their dtype and shape', () => {
    expect(arr('f8')).toEqual({ dtype: 'F64', shape: [2, 3], data: Float64Array.from([0, 0.25, 0.5, 0.75, 1, 1.25]) });
    expect(arr('i8')).toEqual({ dtype: 'I64', shape: [2], data: BigInt64Array.from([-1n, 2n ** 40n]) });
    expect(arr('b1')).toEqual({ dtype: 'BOOL', shape: [3], data: Uint8Array.from([1, 0, 1]) });
    expect(arr('f2')).toEqual({ dtype: 'F16', shape: [2], data: Float32Array.from([0.5, -2]) });
    expect(arr('u1')).toEqual({ dtype: 'U8', shape: [1, 1], data: Uint8Array.from([7]) });
  });

  it('returns Fortran-order arrays in C order', () => {
    expect(arr('f4F')).toEqual({ dtype: 'F32', shape: [2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) });
  });

  it('reads scalars as JS values', () => {
    expect([v.get('scalar_f8'), v.get('scalar_i8'), v.get('scalar_b')]).toEqual([2.5, -7, true]);
  });
});
