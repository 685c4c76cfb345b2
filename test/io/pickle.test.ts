import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PyGlobal, PyObject, unpickle } from '../../src/io/pickle.js';

// Fixtures written by CPython 3.11 (test/fixtures/io/make_fixtures.py).
const fixture = (name: string): Uint8Array => readFileSync(new URL(`../fixtures/io/${name}`, import.meta.url));

describe('unpickle: plain Python values', () => {
  it.each([2, 3, 4, 5])('protocol %i', (proto) => {
    const v = unpickle(fixture(`basic-p${proto}.pkl`)) as Map<string, unknown>;
    expect(v.get('none')).toBeNull();
    expect([v.get('t'), v.get('f')]).toEqual([true, false]);
    expect(v.get('ints')).toEqual([0, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31, 2n ** 63n, -(2n ** 70n)]);
    expect([v.get('float'), v.get('neg')]).toEqual([1.5, -0.25]);
    expect(v.get('str')).toBe('héllo ✓');
    expect(v.get('long')).toBe('x'.repeat(300));
    expect(v.get('bytes')).toEqual(Uint8Array.from([0, 255]));
    expect(v.get('bytearray')).toEqual(Uint8Array.from([97, 98]));
    expect(v.get('tuple')).toEqual([1, 'a', null]);
    expect(v.get('empty')).toEqual([[], [], new Map()]);
    expect(v.get('intkeys')).toEqual(new Map([[1, 'one'], [2, 'two']]));
    expect(v.get('set')).toEqual(new Set([3]));
    expect(v.get('frozenset')).toEqual(new Set([4]));
    expect([...(v.get('od') as Map<string, number>)]).toEqual([['b', 1], ['a', 2]]);
    // The memo keeps shared references shared.
    const [a, b] = v.get('shared') as unknown[][];
    expect(a).toEqual([1, 2]);
    expect(a).toBe(b);
  });
});

describe('unpickle: classes are described, never run', () => {
  it.each([2, 4])('protocol %i: an unknown class keeps its name, arguments and state', (proto) => {
    const v = unpickle(fixture(`objects-p${proto}.pkl`)) as Map<string, unknown>;
    const conf = v.get('conf') as PyObject;
    expect(conf).toBeInstanceOf(PyObject);
    expect(conf.__class__).toBe('__main__.Config');
    const state = conf.state as Map<string, unknown>;
    expect(state.get('name')).toBe('tiny');
    expect(state.get('sizes')).toEqual([1, 2]);
    // Enum members pickle as a call of their class with the value.
    const color = state.get('color') as PyObject;
    expect([color.__class__, color.args]).toEqual(['__main__.Color', ['red']]);
  });

  it('a pickle that would run os.system only yields a description of the call', () => {
    const v = unpickle(fixture('objects-p4.pkl')) as Map<string, unknown>;
    const evil = v.get('evil') as PyObject;
    expect([evil.__class__, evil.args]).toEqual(['posix.system', ['echo pwned > /tmp/pickle-pwned']]);
    expect(existsSync('/tmp/pickle-pwned')).toBe(false);
  });

  it('getattr(Enum, name) names the member', () => {
    // Protocol 2: GLOBAL __builtin__ getattr, GLOBAL config ModelName, 'beatgans', TUPLE2, REDUCE, STOP.
    const bytes = Buffer.concat([
      Buffer.from('\x80\x02c__builtin__\ngetattr\ncconfig\nModelName\n', 'latin1'),
      Buffer.from([0x58, 8, 0, 0, 0]), Buffer.from('beatgans'), Buffer.from([0x86, 0x52, 0x2e]),
    ]);
    const member = unpickle(bytes) as PyGlobal;
    expect(member).toBeInstanceOf(PyGlobal);
    expect(member.qualified).toBe('config.ModelName.beatgans');
  });

  it('handlers replace classes they know', () => {
    const v = unpickle(fixture('objects-p4.pkl'), {
      handlers: { '__main__.Color': { construct: ([value]) => `color:${String(value)}` } },
    }) as Map<string, unknown>;
    expect(((v.get('conf') as PyObject).state as Map<string, unknown>).get('color')).toBe('color:red');
  });
});

describe('unpickle: persistent ids', () => {
  it('resolves BINPERSID through the callback', () => {
    const seen: unknown[] = [];
    const v = unpickle(fixture('persid-p2.pkl'), { persistentLoad: (pid) => (seen.push(pid), `S${seen.length}`) });
    expect(v).toEqual(new Map<string, unknown>([['a', 'S1'], ['b', ['S2', 5]]]));
    expect(seen).toEqual([['storage', 'tiny'], ['storage', 'tiny']]);
  });

  it('refuses them without a callback', () => {
    expect(() => unpickle(fixture('persid-p2.pkl'), { label: 'p.pkl' })).toThrow(/p\.pkl.*persistentLoad/);
  });
});

describe('unpickle: errors', () => {
  const cases: [string, number[], RegExp][] = [
    ['EXT1 (extension registry)', [0x80, 2, 0x82, 1, 0x2e], /unsafe opcode 0x82 at offset 2/],
    ['INST (protocol 0 instantiation)', [0x80, 2, 0x69], /unsafe opcode 0x69/],
    ['NEXT_BUFFER (out-of-band data)', [0x80, 5, 0x97, 0x2e], /unsafe opcode 0x97/],
    ['protocol 6', [0x80, 6, 0x4e, 0x2e], /protocol 6/],
    ['a truncated string', [0x80, 4, 0x8c, 10, 0x61], /truncated/],
    ['a missing STOP', [0x80, 2, 0x4e], /truncated/],
    ['a memo miss', [0x80, 2, 0x68, 3, 0x2e], /memo key 3/],
    ['an empty stack', [0x80, 2, 0x2e], /underflow/],
    ['calling a non-global', [0x80, 2, 0x4e, 0x29, 0x52, 0x2e], /cannot call None/],
    ['BUILD on a plain value', [0x80, 2, 0x4b, 1, 0x4e, 0x62, 0x2e], /BUILD on number/],
  ];
  it.each(cases)('%s', (_, bytes, why) => {
    expect(() => unpickle(Uint8Array.from(bytes), { label: 'bad.pkl' })).toThrow(new RegExp(`bad\\.pkl.*${why.source}`));
  });
});
