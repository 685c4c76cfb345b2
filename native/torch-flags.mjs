// Prints compiler/linker flags for libtorch, for binding.gyp.
// Default: Debian's libtorch-dev (headers in /usr/include, libs on the system path).
// LIBTORCH=/path selects an unpacked libtorch distribution (CPU or CUDA build).
// LIBTORCH=auto takes the libtorch inside the PyTorch that `python3` (or $PYTHON) imports, with its C++ ABI.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const what = process.argv[2];
let pyTorch;
try {
  pyTorch = process.env.LIBTORCH === 'auto' ? findPythonTorch() : undefined;
} catch (e) {
  // One line for the person building, not a stack trace.
  process.stderr.write(`torch-flags: ${e.message}\n`);
  process.exit(1);
}
const root = pyTorch?.root ?? process.env.LIBTORCH;

// A PyTorch install keeps headers and libraries beside its CMake folder (<site-packages>/torch/{include,lib}).
function findPythonTorch() {
  const python = process.env.PYTHON || 'python3';
  const script = 'import torch; print(torch.utils.cmake_prefix_path); print(int(torch._C._GLIBCXX_USE_CXX11_ABI)); print(torch.__version__)';
  let out;
  try {
    out = execFileSync(python, ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const why = (e.stderr || e.message || '').trim().split('\n').pop();
    throw new Error(`LIBTORCH=auto: ${python} cannot import torch (${why}); install PyTorch or set LIBTORCH=/path/to/libtorch`);
  }
  const [cmake, abi, version] = out.trim().split('\n');
  if (!cmake || !/^[01]$/.test(abi ?? '')) throw new Error(`LIBTORCH=auto: unexpected answer from ${python}: ${out}`);
  const dir = resolve(cmake, '../..');
  process.stderr.write(`torch-flags: PyTorch ${version} at ${dir} (C++11 ABI ${abi})\n`);
  return { root: dir, abi: `-D_GLIBCXX_USE_CXX11_ABI=${abi}` };
}

function systemIncludeRoot() {
  for (const dir of ['/usr/include', '/usr/local/include']) {
    if (existsSync(join(dir, 'torch/csrc/api/include/torch/torch.h'))) return dir;
  }
  throw new Error('libtorch headers not found: install Debian libtorch-dev or set LIBTORCH=/path/to/libtorch');
}

// A downloaded libtorch states its C++ ABI in TorchConfig.cmake; Debian builds with the new ABI.
function abiFlag(dir) {
  const cfg = join(dir, 'share/cmake/Torch/TorchConfig.cmake');
  if (existsSync(cfg)) {
    const m = /_GLIBCXX_USE_CXX11_ABI=(\d)/.exec(readFileSync(cfg, 'utf8'));
    if (m) return `-D_GLIBCXX_USE_CXX11_ABI=${m[1]}`;
  }
  return '-D_GLIBCXX_USE_CXX11_ABI=1';
}

let out;
if (root) {
  if (!existsSync(join(root, 'include/torch/csrc/api/include/torch/torch.h'))) {
    throw new Error(`LIBTORCH=${root} does not contain include/torch/csrc/api/include/torch/torch.h`);
  }
  const lib = join(root, 'lib');
  const libs = readdirSync(lib);
  const cuda = ['torch_cuda', 'c10_cuda'].filter((n) => libs.includes(`lib${n}.so`));
  out = {
    include: [join(root, 'include'), join(root, 'include/torch/csrc/api/include')],
    // --no-as-needed keeps torch_cuda linked although no symbol of it is referenced directly:
    // loading it is what registers the CUDA kernels.
    libs: [`-L${lib}`, `-Wl,-rpath,${lib}`, '-Wl,--no-as-needed', ...cuda.map((n) => `-l${n}`), '-ltorch', '-ltorch_cpu', '-lc10', '-Wl,--as-needed'],
    cflags: [pyTorch?.abi ?? abiFlag(root)],
  };
} else {
  const inc = systemIncludeRoot();
  out = {
    include: [inc, join(inc, 'torch/csrc/api/include')],
    libs: ['-ltorch', '-ltorch_cpu', '-lc10'],
    cflags: ['-D_GLIBCXX_USE_CXX11_ABI=1'],
  };
}
process.stdout.write(out[what].join(' '));
