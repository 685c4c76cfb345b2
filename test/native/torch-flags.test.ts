// native/torch-flags.mjs with LIBTORCH=auto: a stand-in python3 answers as a PyTorch install would, and the
// flags must point into that install, carry its C++ ABI and link its CUDA libraries.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let tmp: string;
let torchDir: string;

function flags(what: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['native/torch-flags.mjs', what], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A python3 that prints what `import torch` would: cmake_prefix_path, the ABI flag, the version. */
function fakePython(name: string, body: string): string {
  const path = join(tmp, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hsa-torch-flags-'));
  torchDir = join(tmp, 'site-packages', 'torch');
  mkdirSync(join(torchDir, 'share', 'cmake'), { recursive: true });
  mkdirSync(join(torchDir, 'include', 'torch', 'csrc', 'api', 'include', 'torch'), { recursive: true });
  writeFileSync(join(torchDir, 'include', 'torch', 'csrc', 'api', 'include', 'torch', 'torch.h'), '');
  mkdirSync(join(torchDir, 'lib'));
  for (const lib of ['libtorch.so', 'libtorch_cpu.so', 'libc10.so', 'libtorch_cuda.so', 'libc10_cuda.so']) writeFileSync(join(torchDir, 'lib', lib), '');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('LIBTORCH=auto', () => {
  it('takes headers, libraries (CUDA included) and the C++ ABI from the PyTorch that python imports', () => {
    const python = fakePython('python-ok', `printf '%s\\n' '${join(torchDir, 'share', 'cmake')}' 0 '2.4.0+cu121'`);
    const env = { LIBTORCH: 'auto', PYTHON: python };
    const include = flags('include', env);
    expect(include.status).toBe(0);
    expect(include.stdout.split(' ')).toEqual([join(torchDir, 'include'), join(torchDir, 'include/torch/csrc/api/include')]);
    expect(include.stderr).toContain('PyTorch 2.4.0+cu121');
    expect(flags('cflags', env).stdout).toBe('-D_GLIBCXX_USE_CXX11_ABI=0');
    const libs = flags('libs', env).stdout.split(' ');
    expect(libs).toContain(`-L${join(torchDir, 'lib')}`);
    expect(libs).toContain(`-Wl,-rpath,${join(torchDir, 'lib')}`);
    expect(libs).toEqual(expect.arrayContaining(['-ltorch_cuda', '-lc10_cuda', '-ltorch']));
  });

  it('says in one line why when python has no torch', () => {
    const python = fakePython('python-none', `echo "ModuleNotFoundError: No module named 'torch'" >&2; exit 1`);
    const r = flags('include', { LIBTORCH: 'auto', PYTHON: python });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`torch-flags: LIBTORCH=auto: ${python} cannot import torch (ModuleNotFoundError: No module named 'torch'); install PyTorch or set LIBTORCH=/path/to/libtorch\n`);
  });
});
