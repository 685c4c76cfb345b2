// The method on a real (tiny, randomly initialised) Diff-AE: batching must not change the result, and the
// reconstruction / edit must be what the DDIM functions give on their own.
import { describe, expect, it } from 'vitest';
import * as torch from '../../../src/tensor/index.js';
import { attribute } from '../../../src/method/attribution/attribute.js';
import { diffaeEngine } from '../../../src/method/attribution/engine.js';
import { healthyEdit } from '../../../src/method/classifier/healthy-edit.js';
import { ddimInvert, ddimRender } from '../../../src/model/diffusion.js';
import { tinyClassifier, tinyModel, tinySlice } from './fixtures.js';

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

  it('batched (3 vertebrae, all candidates per call) equals sequential (one image per call)', () => {
    const ref = attribute(diffaeEngine(model), classifier, vertebrae, { ...settings, schedule: 'reference' });
    ref.forEach((r, v) => {
      const f = fast[v]!;
      expect(f.pMalignant).toBeCloseTo(r.pMalignant, 6);
      expect(f.pHealthy).toBeCloseTo(r.pHealthy, 9);
      expect(f.candidates.map((c) => [c.type, c.pixels, c.centroid])).toEqual(r.candidates.map((c) => [c.type, c.pixels, c.centroid]));
      f.candidates.forEach((c, k) => {
        const d = r.candidates[k]!.delta!;
        expect(Math.abs(c.delta! - d)).toBeLessThan(5e-3);
        // The kept decision must agree wherever rounding cannot have crossed the threshold.
        if (Math.abs(d - settings.deltaThreshold) > 5e-3) expect(c.kept).toBe(r.candidates[k]!.kept);
      });
    });
  });
});
