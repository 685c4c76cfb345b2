// Hostile and damaged inputs (issue "nothing lost, nothing trusted"): each must be refused with a message that
// names the file, quickly and before large allocations — never loaded as garbage.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDiffAE, saveDiffAE } from '../../src/model/checkpoint.js';
import { serializeSafetensors, parseSafetensors } from '../../src/io/safetensors.js';
import { unpickle } from '../../src/io/pickle.js';
import { readTorchCheckpoint } from '../../src/io/torch-checkpoint.js';
import { readJoblib } from '../../src/io/joblib.js';
import { readNifti } from '../../src/data/nifti.js';
import { LatentClassifier } from '../../src/method/classifier/latent-classifier.js';
import { tinyClassifier, tinyModel, TINY_CONFIG } from '../method/attribution/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'hsa-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const TINY_CKPT = fileURLToPath(new URL('../fixtures/io/tiny-torch.ckpt', import.meta.url));

const model = tinyModel();
const good = join(tmp, 'good.safetensors');
saveDiffAE(model, good);
const goodBytes = readFileSync(good);
const file = (name: string, bytes: Uint8Array | string): string => {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  return p;
};
/** Milliseconds fn takes to throw an error matching re. */
const refusedIn = (fn: () => unknown, re: RegExp): number => {
  const t0 = performance.now();
  expect(fn).toThrow(re);
  return performance.now() - t0;
};

describe('model files (safetensors)', () => {
  it('a header length off by one is refused, not loaded as shifted garbage', () => {
    const b = Buffer.from(goodBytes);
    b.writeBigUInt64LE(b.readBigUInt64LE(0) - 1n, 0);
    expect(() => loadDiffAE(file('short-header.safetensors', b))).toThrow(/short-header\.safetensors: not a valid safetensors file: (header is not|.*belong to no tensor)/);
  });
  it('trailing bytes after the last tensor are refused', () => {
    const p = file('trailing.safetensors', Buffer.concat([goodBytes, Buffer.from([0, 0, 0, 0])]));
    expect(() => loadDiffAE(p)).toThrow(/trailing\.safetensors: .*4 bytes after the last tensor belong to no tensor/);
  });
  it('a NaN weight is refused, naming the tensor', () => {
    const { tensors, metadata } = parseSafetensors(goodBytes, 'good');
    const [key, rec] = [...tensors].find(([, r]) => r.data.length > 3)!;
    (rec.data as Float32Array)[3] = Number.NaN;
    const p = file('nan.safetensors', serializeSafetensors(tensors, metadata));
    expect(() => loadDiffAE(p)).toThrow(new RegExp(`nan\\.safetensors: tensor ${key.replace(/\./g, '\\.')} holds NaN or infinite values \\(element 3\\)`));
  });
  it('configs far beyond the weights are refused before the network is built', () => {
    const { tensors, metadata } = parseSafetensors(goodBytes, 'good');
    const withConfig = (name: string, patch: object) =>
      file(name, serializeSafetensors(tensors, { ...metadata, config: JSON.stringify({ ...TINY_CONFIG, ...patch }) }));
    expect(refusedIn(() => loadDiffAE(withConfig('wide.safetensors', { model_channels: 2048 })), /wide\.safetensors: .*model_channels 2048 is above the limit 512/)).toBeLessThan(2000);
    expect(refusedIn(() => loadDiffAE(withConfig('deep.safetensors', { num_res_blocks: 100000 })), /deep\.safetensors: .*num_res_blocks 100000 is above the limit/)).toBeLessThan(2000);
    // Within the limits, but a network ~1000× the file's weights.
    expect(() => loadDiffAE(withConfig('big.safetensors', { model_channels: 256 }))).toThrow(/big\.safetensors: its config builds a network of at least \d+ weights, the file holds \d+/);
    const p = file('badjson.safetensors', serializeSafetensors(tensors, { ...metadata, config: '{"model_channels": ' }));
    expect(() => loadDiffAE(p)).toThrow(/badjson\.safetensors: the model config in its metadata is not valid/);
  });
});

describe('pickles and torch checkpoints', () => {
  it('a 1 MB LONG4 integer is refused at once (decoding would take minutes)', () => {
    const n = 1 << 20;
    const b = Buffer.alloc(2 + 5 + n + 1);
    b.set([0x80, 0x02, 0x8b], 0);
    b.writeInt32LE(n, 3);
    b[b.length - 1] = 0x2e;
    expect(refusedIn(() => unpickle(b, { label: 'big.pkl' }), /big\.pkl: cannot unpickle: integer of 1048576 bytes is longer than the 1786 allowed/)).toBeLessThan(1000);
    const text = Buffer.from(`L${'9'.repeat(100_000)}\n.`);
    expect(() => unpickle(text, { label: 't.pkl' })).toThrow(/t\.pkl: cannot unpickle: integer of 100000 digits/);
  });
  it('an empty file says so', () => {
    expect(() => readJoblib(file('empty.pkl', ''))).toThrow(/empty\.pkl: empty file \(0 bytes\)/);
    expect(() => readTorchCheckpoint(file('empty.ckpt', ''))).toThrow(/empty\.ckpt: cannot read torch checkpoint: empty file/);
  });
  it('a storage that claims more elements than the archive holds is refused (no allocation from the claim)', () => {
    const entries = unzipSync(readFileSync(TINY_CKPT));
    entries['archive/data/0'] = new Uint8Array(4);
    const p = file('short-storage.ckpt', zipSync(entries, { level: 0 }));
    expect(() => readTorchCheckpoint(p)).toThrow(/short-storage\.ckpt .*storage 0 claims 8 elements of F32, the archive holds 4 bytes/);
  });
  it('a zip bomb is refused from its declared sizes', () => {
    const entries = unzipSync(readFileSync(TINY_CKPT));
    entries['archive/data/2'] = new Uint8Array(50 << 20);
    const p = file('bomb.ckpt', zipSync(entries, { level: 9 }));
    expect(readFileSync(p).length).toBeLessThan(200_000);
    expect(() => readTorchCheckpoint(p)).toThrow(/bomb\.ckpt: cannot read torch checkpoint: entry archive\/data\/2 expands \d+ bytes to 52428800/);
  });
});

describe('files that are not regular files', () => {
  it('a FIFO and a link to /dev/zero are refused without reading', () => {
    const fifo = join(tmp, 'pipe.nii');
    execFileSync('mkfifo', [fifo]);
    expect(() => readNifti(fifo)).toThrow(/pipe\.nii: not a regular file/);
    const zero = join(tmp, 'zero.nii.gz');
    symlinkSync('/dev/zero', zero);
    expect(() => readNifti(zero)).toThrow(/zero\.nii\.gz: not a regular file/);
    expect(() => loadDiffAE(zero)).toThrow(/zero\.nii\.gz: not a regular file/);
  });
});

describe('latent classifier', () => {
  it('NaN in z is an error, not a probability', () => {
    const c = tinyClassifier(model);
    const z = new Float32Array(TINY_CONFIG.enc_out_channels);
    z[2] = Number.NaN;
    expect(() => c.probability(z)).toThrow(/logit of this z is NaN/);
    expect(() => LatentClassifier.fromJSON({ ...c.toJSON(), model: { coef: Array(16).fill(1e999), intercept: 0 } }, 'c.json')).toThrow(/c\.json: .*finite numbers/);
  });
});
