// The method on a real (tiny, randomly initialised) Diff-AE: batching must not change the result, and the
// reconstruction / edit must be what the DDIM functions give on their own.
import { describe, expect, it } from 'vitest';
import * as torch from '../../../src/tensor/index.js';
import { attribute } from '../../../src/method/attribution/attribute.js';
import { diffaeEngine, type LatentDiffusion } from '../../../src/method/attribution/engine.js';
import { healthyEdit } from '../../../src/method/classifier/healthy-edit.js';
import { ddimInvert, ddimRender } from '../../../src/model/diffusion.js';
import { tinyClassifier, tinyModel, tinySlice } from './fixtures.js';
import { expectClose } from '../../helpers/close.js';

const model = tinyModel();
const classifier = tinyClassifier(model);
// A random model proposes small, scattered changes and scores them all near Δ = 1: a low size filter and a
// threshold of 1 give both kept and dropped candidates.
const settings = { inversionSteps: 4, renderSteps: 3, harmoniseInversionSteps: 4, harmoniseRenderSteps: 3, minSize: 2, deltaThreshold: 1 };
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
const vertebrae = [1, 2, 3].map((seed) => {
  const s = tinySlice(seed);
  return { image: s.image, mask: { rows: 16, cols: 16, data: s.mask } };
});

describe('attribution on a tiny Diff-AE', () => {
  const fast = attribute(diffaeEngine(model), classifier, vertebrae, { ...settings, schedule: 'fast', vertebraeBatch: 3 });
  const ref = attribute(diffaeEngine(model), classifier, vertebrae, { ...settings, schedule: 'reference' });

  it('produces kept and dropped candidates (the comparisons below would be empty otherwise)', () => {
    expect(fast.every((r) => r.candidates.length >= 2)).toBe(true);
    const kept = fast.flatMap((r) => r.candidates.map((c) => c.kept));
    expect(kept).toContain(true);
    expect(kept).toContain(false);
  });

  it('recon and edit are DDIM render of the inverted input with z and with the healthy z', () => {
    const v = vertebrae[1]!;
    const { recon, edit } = torch.noGrad(() =>
      torch.tidy(() => {
        const x = torch.tensor(v.image, [1, 1, 16, 16]);
        const z = model.encode(x);
        const xT = ddimInvert(model, x, z, { steps: 4 });
        const zh = torch.tensor(Float32Array.from(healthyEdit(z.toFloat32Array(), classifier)), z.shape);
        return { recon: ddimRender(model, xT, z, { steps: 3 }).toFloat32Array(), edit: ddimRender(model, xT, zh, { steps: 3 }).toFloat32Array() };
      }),
    );
    // DDIM through t = 999 and back amplifies float32 differences of batch-size-dependent kernels ~100×.
    expect(maxDiff(fast[1]!.recon, recon)).toBeLessThan(1e-3);
    expect(maxDiff(fast[1]!.edit, edit)).toBeLessThan(1e-3);
  });

  // Batched and one-image calls take different float32 kernels (which differ by CPU): they agree to ~1e-6, and
  // the random model's DDIM loops amplify that chaotically (Δ moved by 0.015 on one CPU). So the orchestration
  // (grouping, candidate batches, which composite belongs to which candidate) is checked bit for bit on an
  // engine that splits every call into single-image calls, and the real batched kernels only where the
  // result is well conditioned.
  it('batched orchestration (3 vertebrae, all candidates per call) equals sequential exactly, with per-image arithmetic', () => {
    const calls: number[] = [];
    const split = perImage(diffaeEngine(model), calls);
    const batched = attribute(split, classifier, vertebrae, { ...settings, schedule: 'fast', vertebraeBatch: 3 });
    expect(Math.max(...calls)).toBeGreaterThan(3); // the fast schedule did batch
    const summary = (rs: typeof ref) => rs.map((r) => ({ pm: r.pMalignant, ph: r.pHealthy, c: r.candidates.map((c) => [c.type, c.pixels, c.centroid, c.pCandidate, c.delta, c.kept]) }));
    expect(summary(batched)).toEqual(summary(ref));
    ref.forEach((r, v) => expect(Array.from(batched[v]!.recon)).toEqual(Array.from(r.recon)));
  });

  it('real batched kernels: p_m and the candidates agree with one-image calls within float32 rounding', () => {
    ref.forEach((r, v) => {
      const f = fast[v]!;
      // One encoder pass: well conditioned, so F32_KERNELS applies.
      expectClose(f.pMalignant, r.pMalignant, undefined, `vertebra ${v} p_m`);
      expectClose(f.pHealthy, r.pHealthy, undefined, `vertebra ${v} p_h`);
      expect(f.candidates.length).toBe(r.candidates.length);
    });
  });
});

/** The engine with every call of N images run as N one-image calls (the reference schedule's arithmetic). */
function perImage(e: LatentDiffusion, sizes: number[]): LatentDiffusion {
  const each = (x: torch.Tensor, fn: (i: number) => torch.Tensor): torch.Tensor => {
    sizes.push(x.size(0));
    return torch.tidy(() => torch.cat(Array.from({ length: x.size(0) }, (_, i) => fn(i)), 0));
  };
  const row = (t: torch.Tensor, i: number) => t.slice(0, i, i + 1);
  return {
    encode: (x) => each(x, (i) => e.encode(row(x, i))),
    invert: (x, z, steps) => each(x, (i) => e.invert(row(x, i), row(z, i), steps)),
    render: (x, z, steps) => each(x, (i) => e.render(row(x, i), row(z, i), steps)),
  };
}
