// Output safety: atomic file writes, a guard against overwriting inputs, and output folders that appear
// whole or not at all.
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
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

// The largest input file read whole (a Buffer's limit); formats set tighter limits of their own.
const MAX_INPUT_BYTES = 2 ** 32 - 1;

/**
 * Checks that path is a regular file (not a FIFO, a device such as /dev/zero, or a folder) of at most
 * maxBytes, and remembers it as an input so that no writer replaces it. Returns its size.
 */
export function checkInputFile(path: string, maxBytes = MAX_INPUT_BYTES): number {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${path}: file not found` : `${path}: cannot read (${(e as Error).message})`);
  }
  if (st.isDirectory()) throw new Error(`${path}: is a folder, not a file`);
  if (!st.isFile()) throw new Error(`${path}: not a regular file (a pipe, socket or device cannot be read as input)`);
  if (st.size > maxBytes) throw new Error(`${path}: ${st.size} bytes is more than the ${maxBytes} this input may have`);
  registerInput(path);
  return st.size;
}

/** The bytes of a user's input file (checked by checkInputFile); errors name the file. */
export function readInputFile(path: string, maxBytes = MAX_INPUT_BYTES): Buffer {
  checkInputFile(path, maxBytes);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as Error).message})`);
  }
}

/** An input file as UTF-8 text (checked by checkInputFile). */
export function readInputText(path: string, maxBytes = MAX_INPUT_BYTES): string {
  return readInputFile(path, maxBytes).toString('utf8');
}

/** A new output file must not be an input of this process nor replace an existing file. */
export function assertNewFile(path: string): void {
  assertNotInput(path);
  if (existsSync(path)) throw new Error(`${path}: exists; refusing to replace a file this command did not create`);
}

/**
 * Writes through a temporary file in the same folder and renames, so readers never see half a file. Never
 * replaces an input of this process; replaces an existing file only with `replace` (a file the caller
 * created itself, such as a training run's checkpoint).
 */
export function writeFileAtomic(path: string, bytes: Uint8Array | string, options: { replace?: boolean } = {}): void {
  if (options.replace) assertNotInput(path);
  else assertNewFile(path);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    writeFileSync(tmp, bytes, { flag: 'wx' });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`${path}: cannot write (${(e as Error).message})`);
  }
}

/** An output folder must not exist or be empty: nothing of the user's is ever replaced. */
export function assertEmptyOutputDir(outDir: string): void {
  const out = resolve(outDir);
  if (!existsSync(out)) {
    let up = dirname(out);
    while (!existsSync(up)) up = dirname(up);
    if (!statSync(up).isDirectory()) throw new Error(`${outDir}: cannot be created: ${up} is a file, not a folder`);
    return;
  }
  if (!statSync(out).isDirectory()) throw new Error(`${outDir}: exists and is not a folder (--out names a folder to create)`);
  if (readdirSync(out).length > 0) throw new Error(`${outDir}: output folder exists and is not empty`);
}

/**
 * Runs fill(stagingDir) in a fresh sibling of outDir, then moves it to outDir, which must not exist or be an
 * empty folder. Nothing in outDir is ever removed: a file that appears there during the run (or another run
 * that finished first) makes the move fail, and the results stay in the staging folder, which the error names.
 * On an error in fill the staging folder is removed, so outDir never holds a partial result.
 */
export async function withOutputDir<T>(outDir: string, fill: (dir: string) => Promise<T> | T): Promise<T> {
  assertEmptyOutputDir(outDir);
  const out = resolve(outDir);
  mkdirSync(dirname(out), { recursive: true });
  const staging = `${out}.partial-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  mkdirSync(staging);
  let result: T;
  try {
    result = await fill(staging);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  try {
    // rmdir removes an empty folder only; rename onto a non-empty folder fails (ENOTEMPTY), never merges.
    if (existsSync(out)) rmdirSync(out);
    renameSync(staging, out);
  } catch (e) {
    throw new Error(`${outDir}: something else wrote there during the run (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the results are in ${staging}`);
  }
  return result;
}
