// npm run bench:engine — times core ops through our binding and through PyTorch (Debian python3-torch,
// the same libtorch) in one run, same thread count; prints one line per case with ratio=ours/PyTorch.
// Each side reports the fastest of its repetitions (the least disturbed by other load), and the two sides
// alternate for BENCH_ROUNDS rounds so that a burst of load does not favour one of them.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/tensor/index.js';

const reps = Number(process.env.BENCH_REPS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const threads = torch.getNumThreads();
const g = new torch.Generator(0);
const x = torch.randn([8, 64, 64, 64], g);
const w = torch.randn([64, 64, 3, 3], g).mul(0.05);
const b = torch.zeros([64]);
const a = torch.randn([1024, 1024], g);
const m = torch.randn([1024, 1024], g);
const gw = torch.ones([64]);
const gb = torch.zeros([64]);

const cases: Record<string, () => void> = {
  conv2d_fwd: () => torch.noGrad(() => torch.tidy(() => void torch.conv2d(x, w, b, 1, 1))),
  conv2d_fwd_bwd: () =>
    torch.tidy(() => {
      const xr = x.detach().requiresGrad_();
      const wr = w.detach().requiresGrad_();
      torch.conv2d(xr, wr, b, 1, 1).sum().backward();
    }),
  matmul_1024: () => torch.noGrad(() => torch.tidy(() => void a.matmul(m))),
  gn_silu_conv: () => torch.noGrad(() => torch.tidy(() => void torch.conv2d(torch.groupNorm(x, 32, gw, gb).silu(), w, b, 1, 1))),
};

function bestTime(fn: () => void): number {
  for (let i = 0; i < 5; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    ts.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return Math.min(...ts);
}

const script = fileURLToPath(new URL('./engine_pytorch.py', import.meta.url));
const minOf = (a: Record<string, number> | undefined, b: Record<string, number>) =>
  Object.fromEntries(Object.entries(b).map(([k, v]) => [k, Math.min(v, a?.[k] ?? Infinity)]));
let ours: Record<string, number> | undefined;
let theirs: Record<string, number> | undefined;
for (let r = 0; r < rounds; r++) {
  ours = minOf(ours, Object.fromEntries(Object.entries(cases).map(([k, f]) => [k, bestTime(f)])));
  try {
    theirs = minOf(theirs, JSON.parse(execFileSync('/usr/bin/python3', [script, String(threads), String(reps)], { encoding: 'utf8' })));
  } catch (e) {
    if (r === 0) console.log(`PyTorch side unavailable (apt-get install python3-torch): ${(e as Error).message.split('\n')[0]}`);
  }
}
console.log(`threads=${threads} reps=${reps} rounds=${rounds} libtorch=${torch.torchVersion()} (fastest repetition, seconds)`);
for (const [k, t] of Object.entries(ours!)) {
  const p = theirs?.[k];
  const ratio = p === undefined ? 'n/a' : (t / p).toFixed(3);
  console.log(`${k.padEnd(16)} ours=${t.toFixed(5)}s pytorch=${p === undefined ? 'n/a' : p.toFixed(5) + 's'} ratio=${ratio}`);
}
