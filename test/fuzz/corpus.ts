// Generators of damaged inputs, one family per format, seeded by the case number so that any failure is
// reproducible; and the classifier of what a reader did with one: a clean error that names the file, a crash
// (anything else thrown), a hang (over the time budget), or a silent success.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { unzipSync, zipSync } from 'fflate';
import { parseNifti } from '../../src/data/nifti.js';
import { readManifest } from '../../src/data/manifest.js';
import { loadDiffAE, saveDiffAE } from '../../src/model/checkpoint.js';
import { readTorchCheckpoint } from '../../src/io/torch-checkpoint.js';
import { REFERENCE_SAMPLE } from '../helpers/fixtures.js';
import { tinyModel } from '../method/attribution/fixtures.js';

export type Outcome = 'clean' | 'crash' | 'hang' | 'silent';

/** mulberry32: a tiny seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A copy of b with a few bytes (or whole little-endian fields) replaced, mostly within the first `head` bytes. */
function mutate(b: Uint8Array, r: () => number, head: number): Buffer {
  const out = Buffer.from(b);
  const pick = (n: number) => Math.floor(r() * n);
  for (let i = 0, n = 1 + pick(6); i < n; i++) {
    const at = r() < 0.8 ? pick(Math.min(head, out.length)) : pick(out.length);
    const kind = pick(4);
    if (kind === 0 && at + 4 <= out.length) out.writeInt32LE(pick(2 ** 31) * (r() < 0.3 ? -1 : 1), at);
    else if (kind === 1 && at + 8 <= out.length) out.writeBigInt64LE(BigInt.asIntN(64, BigInt(pick(2 ** 31)) << BigInt(pick(40))), at);
    else out[at] = pick(256);
  }
  return out;
}

/** Truncation, appended bytes or mutation. */
function damage(b: Uint8Array, r: () => number, head: number): Buffer {
  const k = r();
  if (k < 0.15) return Buffer.from(b.subarray(0, Math.floor(r() * b.length)));
  if (k < 0.25) return Buffer.concat([b, Buffer.alloc(1 + Math.floor(r() * 64), Math.floor(r() * 256))]);
  return mutate(b, r, head);
}

export interface Format {
  name: string;
  /** Reads the case's bytes (written to `path` when the reader takes a file); throws or returns. */
  read(bytes: Buffer, path: string): Promise<unknown> | unknown;
  make(n: number): Buffer;
  /** File name of case n (the reader's errors must start with its path). */
  file(n: number): string;
}

const sample = readFileSync(join(REFERENCE_SAMPLE, 'sample_ct.nii'));
const sampleGz = gzipSync(sample, { level: 1 });
const TINY_CKPT = fileURLToPath(new URL('../fixtures/io/tiny-torch.ckpt', import.meta.url));

/** The four formats a user hands the tool; `dir` holds the files the file-based readers need. */
export function formats(dir: string): Format[] {
  mkdirSync(dir, { recursive: true });
  const modelPath = join(dir, 'base.safetensors');
  saveDiffAE(tinyModel(), modelPath);
  const model = readFileSync(modelPath);
  const headerEnd = 8 + Number(model.readBigUInt64LE(0));
  const ckpt = unzipSync(readFileSync(TINY_CKPT));
  const manifest = Buffer.from('image,seg_msk,label,split\na.nii.gz,a_seg.nii.gz,1,train\nb.nii.gz,b_seg.nii.gz,0,val\n"c,1.nii",c_seg.nii,0,test\n');
  return [
    {
      name: 'nifti',
      file: (n) => `/fuzz/variant-${n}.nii`,
      make: (n) => (n % 6 === 5 ? damage(sampleGz, rng(n), 64) : damage(sample, rng(n), 352)),
      read: (bytes, path) => parseNifti(bytes, path),
    },
    {
      name: 'safetensors',
      file: (n) => join(dir, `model-${n}.safetensors`),
      make: (n) => damage(model, rng(n), headerEnd),
      read: (bytes, path) => {
        writeFileSync(path, bytes);
        return loadDiffAE(path).dispose();
      },
    },
    {
      name: 'torch-checkpoint',
      file: (n) => join(dir, `ckpt-${n}.ckpt`),
      make: (n) => {
        const r = rng(n);
        if (r() < 0.3) return damage(readFileSync(TINY_CKPT), r, 600);
        // The pickle or a storage damaged inside a well-formed archive.
        const entries: Record<string, Uint8Array> = { ...ckpt };
        const key = r() < 0.7 ? 'archive/data.pkl' : 'archive/data/0';
        entries[key] = damage(entries[key]!, r, 512);
        return Buffer.from(zipSync(entries, { level: 0 }));
      },
      read: (bytes, path) => {
        writeFileSync(path, bytes);
        return readTorchCheckpoint(path);
      },
    },
    {
      name: 'manifest',
      file: (n) => join(dir, `manifest-${n}.csv`),
      make: (n) => damage(manifest, rng(n), manifest.length),
      read: async (bytes, path) => {
        writeFileSync(path, bytes);
        return readManifest(path, { checkFiles: false });
      },
    },
  ];
}

/** What reading case n did, and how long it took. */
export async function runCase(f: Format, n: number, budgetMs: number): Promise<{ outcome: Outcome; ms: number; message?: string }> {
  const path = f.file(n);
  const bytes = f.make(n);
  const t0 = performance.now();
  let outcome: Outcome;
  let message: string | undefined;
  try {
    await f.read(bytes, path);
    outcome = 'silent';
  } catch (e) {
    message = e instanceof Error ? e.message : String(e);
    outcome = e instanceof Error && message.startsWith(path) && !message.includes('\n    at ') ? 'clean' : 'crash';
  }
  const ms = performance.now() - t0;
  if (ms > budgetMs) outcome = 'hang';
  return { outcome, ms, ...(message !== undefined ? { message } : {}) };
}
