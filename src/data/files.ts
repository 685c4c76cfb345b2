// Output safety: atomic file writes, a guard against overwriting inputs, and output folders that appear
// whole or not at all.
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const inputs = new Set<string>();

function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Remembers path as an input of this process so that no writer replaces it. */
export function registerInput(path: string): void {
  inputs.add(canonical(path));
}

export function assertNotInput(path: string): void {
  if (inputs.has(canonical(path))) throw new Error(`${path}: refusing to overwrite an input file`);
}

/** The bytes of a user's input file (remembered so that no writer replaces it); errors name the file. */
export function readInputFile(path: string): Buffer {
  registerInput(path);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as Error).message})`);
  }
}

/** Writes through a temporary file in the same folder and renames, so readers never see half a file. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`${path}: cannot write (${(e as Error).message})`);
  }
}

/** An output folder must not exist or be empty: nothing of the user's is ever replaced. */
export function assertEmptyOutputDir(outDir: string): void {
  const out = resolve(outDir);
  if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`${outDir}: output folder exists and is not empty`);
}

/**
 * Runs fill(stagingDir) and then moves the staging folder to outDir; on any error the staging folder is
 * removed, so outDir never holds a partial result. outDir must not exist or be empty.
 */
export async function withOutputDir<T>(outDir: string, fill: (dir: string) => Promise<T> | T): Promise<T> {
  assertEmptyOutputDir(outDir);
  const out = resolve(outDir);
  mkdirSync(dirname(out), { recursive: true });
  const staging = `${out}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  try {
    const result = await fill(staging);
    rmSync(out, { recursive: true, force: true });
    renameSync(staging, out);
    return result;
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}
