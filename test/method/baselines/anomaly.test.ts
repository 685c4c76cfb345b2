import { describe, expect, it } from 'vitest';
import * as torch from '../../../src/tensor/index.js';
import type { LatentDiffusion } from '../../../src/method/attribution/engine.js';
import { anomalyBaseline } from '../../../src/method/baselines/anomaly.js';

const N = 12;
const at = (r: number, c: number) => r * N + c;

/**
 * Input 0.5 in a body of rows/cols 1..10, a dark patch (0.2) at rows 2..3 × cols 2..4 and a bright one (0.9) at
 * rows 7..8 × cols 6..8. The "healthy reconstruction" is 0.5 everywhere, plus 0.01 at seven isolated pixels and
 * −0.01 at seven others, and 0.7 at a pixel outside the body. Lytic map positives: seven × 0.01 and six × 0.3 →
 * median 0.01 → the patch survives; blastic likewise with 0.4.
 */
function fixture() {
  const image = new Float32Array(N * N).fill(0.5);
  const mask = new Uint8Array(N * N);
  for (let r = 1; r <= 10; r++) for (let c = 1; c <= 10; c++) mask[at(r, c)] = 1;
  const lytic: number[] = [];
  const blastic: number[] = [];
  for (let r = 2; r <= 3; r++) for (let c = 2; c <= 4; c++) lytic.push(at(r, c));
  for (let r = 7; r <= 8; r++) for (let c = 6; c <= 8; c++) blastic.push(at(r, c));
  lytic.forEach((i) => (image[i] = 0.2));
  blastic.forEach((i) => (image[i] = 0.9));
  const healthy = new Float32Array(N * N).fill(0.5);
  [[1, 8], [1, 10], [3, 8], [3, 10], [5, 2], [5, 4], [5, 8]].forEach(([r, c]) => (healthy[at(r!, c!)] = 0.51));
  [[10, 1], [10, 3], [10, 5], [10, 9], [6, 1], [8, 1], [8, 3]].forEach(([r, c]) => (healthy[at(r!, c!)] = 0.49));
  healthy[at(0, 0)] = 0.7;
  return { slice: { image, mask: { rows: N, cols: N, data: mask } }, healthy, lytic, blastic };
}

describe('anomalyBaseline', () => {
  it('keeps every candidate of the signed input/reconstruction differences, lytic where the reconstruction is brighter', () => {
    const f = fixture();
    const calls: string[] = [];
    // invert is the identity and render returns the healthy image: recon = healthy for each vertebra.
    const engine: LatentDiffusion = {
      encode: (x) => torch.zeros([x.size(0), 1]),
      invert: (x, _z, steps) => (calls.push(`invert ${x.size(0)} ${steps}`), x.clone()),
      render: (xT, _z, steps) => (calls.push(`render ${xT.size(0)} ${steps}`), torch.tensor(Float32Array.from([...f.healthy, ...f.healthy]), [2, 1, N, N])),
    };
    const [r] = anomalyBaseline(engine, [f.slice, f.slice], { inversionSteps: 7, renderSteps: 3, minSize: 5 });
    expect(calls).toEqual(['invert 2 7', 'render 2 3']);
    expect(Array.from(r!.recon)).toEqual(Array.from(f.healthy));
    expect(r!.candidates.map((c) => [c.type, Array.from(c.pixelIndices)])).toEqual([['lytic', f.lytic], ['blastic', f.blastic]]);
    const want = new Uint8Array(N * N);
    f.lytic.forEach((i) => (want[i] = 1));
    f.blastic.forEach((i) => (want[i] = 2));
    expect(Array.from(r!.labels)).toEqual(Array.from(want));
    expect(r!.lyticMap[at(0, 0)]).toBe(0);
  });

  it('needs slices on one grid', () => {
    const f = fixture();
    const engine = {} as LatentDiffusion;
    expect(() => anomalyBaseline(engine, [f.slice, { image: new Float32Array(4), mask: { rows: 2, cols: 2, data: new Uint8Array(4) } }], { inversionSteps: 1, renderSteps: 1, minSize: 5 })).toThrow(/every slice must be 12×12/);
    expect(anomalyBaseline(engine, [], { inversionSteps: 1, renderSteps: 1, minSize: 5 })).toEqual([]);
  });
});
