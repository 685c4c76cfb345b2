// The attribution logic against the closed-form stub (test/method/attribution/stub.ts): expected values are
// worked out here from the stub's definition, not by the code under test.
import { describe, expect, it } from 'vitest';
import { attribute, attributionScore, keptCandidates } from '../../../src/method/attribution/attribute.js';
import * as torch from '../../../src/tensor/index.js';
import type { Tensor } from '../../../src/tensor/index.js';
import { SCHEDULE_SETTINGS } from '../../../src/method/attribution/options.js';
import { BIAS, B, MASK, N, REGION, stubClassifier, stubEngine, stubImage, type StubCall, W, Z } from './stub.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const logit = (z: readonly number[]) => z.reduce((a, zj, j) => a + W[j]! * zj, B);
// Healthy edit by hand for the identity scaler: one step along w/|w| to logit log(1e-5 / (1 − 1e-5)).
const norm = Math.hypot(...W);
const step = (Math.log(1e-5 / (1 - 1e-5)) - logit(Z)) / norm;
const ZH = Z.map((z, j) => z + (step * W[j]!) / norm);
const pM = sigmoid(logit(Z));
const pH = sigmoid(logit(ZH));
const delta = (features: number[]) => (sigmoid(logit(features)) - pH) / (pM - pH + 1e-8);

/** Encoded features of the composite revealing region k (0 = A, 1 = B, 2 = C): revealed / hidden / D offsets. */
const features = (k: number, revealed: number, hidden: number, outside: number) =>
  [0, 1, 2, 3].map((j) => (j === 3 ? Z[3]! + outside : j === k ? Z[j]! + revealed : ZH[j]! + hidden));

const vertebra = { image: stubImage(), mask: MASK };
const centroid = (idx: number[]) => ({ row: idx.reduce((a, i) => a + Math.floor(i / N), 0) / idx.length, col: idx.reduce((a, i) => a + (i % N), 0) / idx.length });

describe('attributionScore', () => {
  it('is (p_k − p_h) / (p_m − p_h + 1e-8)', () => {
    expect(attributionScore(0.5, 0.9, 0.1)).toBeCloseTo(0.4 / (0.8 + 1e-8), 12);
    expect(attributionScore(0.1, 0.9, 0.1)).toBe(0);
  });
});

describe('keptCandidates', () => {
  it('keeps scores above the threshold; with keepBest and none above, the best finite one (first on ties)', () => {
    expect(keptCandidates([0.2, 0.6, null, 0.9], 0.5, true)).toEqual([false, true, false, true]);
    expect(keptCandidates([0.2, 0.3, null], 0.5, false)).toEqual([false, false, false]);
    expect(keptCandidates([NaN, 0.2, 0.3, 0.3, null], 0.5, true)).toEqual([false, false, true, false, false]);
    expect(keptCandidates([null, NaN], 0.5, true)).toEqual([false, false]);
    expect(keptCandidates([], 0.5, true)).toEqual([]);
  });
});

describe('attribute (stub engine)', () => {
  it('finds the lytic and blastic candidates inside the mask, each at least minSize pixels', () => {
    const [r] = attribute(stubEngine(), stubClassifier(), [vertebra], { inversionSteps: 3, renderSteps: 3 });
    // Lytic first, then blastic in raster order; A's 4-pixel patch is too small and D lies outside the mask.
    expect(r!.candidates.map((c) => [c.type, c.pixels, c.centroid])).toEqual([
      ['lytic', 6, centroid(REGION.coreB)],
      ['blastic', 6, centroid(REGION.coreA)],
      ['blastic', 6, centroid(REGION.coreC)],
    ]);
    expect(Array.from(r!.candidates[1]!.pixelIndices)).toEqual(REGION.coreA);
  });

  it('reconstructs, edits and scores as SPEC §5 says (harmonised, revealed from the reconstruction)', () => {
    const [r] = attribute(stubEngine(), stubClassifier(), [vertebra], {});
    const x = stubImage();
    expect(r!.recon[0]).toBe(x[0]! + BIAS);
    expect(r!.edit[REGION.coreA[0]!]).toBeCloseTo(x[REGION.coreA[0]!]! + ZH[0]! - Z[0]! + BIAS, 5);
    expect(r!.pMalignant).toBeCloseTo(pM, 6);
    expect(r!.pHealthy).toBeCloseTo(1e-5, 9);
    // Composites come from recon (+β), harmonising renders once more (+β): features + 2β, D + 2β.
    const expected = [1, 0, 2].map((k) => delta(features(k, 2 * BIAS, 2 * BIAS, 2 * BIAS)));
    r!.candidates.forEach((c, i) => expect(c.delta).toBeCloseTo(expected[i]!, 4));
    expect(r!.candidates.map((c) => c.kept)).toEqual(expected.map((d) => d > 0.5));
    expect(r!.candidates.map((c) => c.kept)).toEqual([false, true, false]);
    const twos = [...r!.labels.keys()].filter((i) => r!.labels[i] === 2);
    expect(twos).toEqual(REGION.coreA);
    expect(r!.labels.some((v) => v === 1)).toBe(false);
  });

  it('builds each composite from recon with the other proposed pixels (including too-small ones) taken from the edit', () => {
    const calls: StubCall[] = [];
    const [r] = attribute(stubEngine(calls), stubClassifier(), [vertebra], {});
    // Calls: encode, invert, render (recon + edit), then the composites: encode, invert, render, encode.
    expect(calls.map((c) => [c.op, c.batch])).toEqual([['encode', 1], ['invert', 1], ['render', 2], ['encode', 3], ['invert', 3], ['render', 3], ['encode', 3]]);
    const comps = calls[3]!.input;
    // `all` = cores of A, B, C and A's small patch; the revealed candidate's own pixels stay from recon.
    const proposed = [...REGION.coreA, ...REGION.patchA, ...REGION.coreB, ...REGION.coreC];
    [REGION.coreB, REGION.coreA, REGION.coreC].forEach((revealed, i) => {
      const expected = Float32Array.from(r!.recon);
      for (const p of proposed) if (!revealed.includes(p)) expected[p] = r!.edit[p]!;
      expect(comps.subarray(i * N * N, (i + 1) * N * N)).toEqual(expected);
    });
  });

  it('ablation: without harmonisation the composites themselves are encoded and scored', () => {
    const calls: StubCall[] = [];
    const [r] = attribute(stubEngine(calls), stubClassifier(), [vertebra], { harmonise: false });
    expect(calls.slice(3).map((c) => [c.op, c.batch])).toEqual([['encode', 3]]);
    const expected = [1, 0, 2].map((k) => delta(features(k, BIAS, BIAS, BIAS)));
    r!.candidates.forEach((c, i) => expect(c.delta).toBeCloseTo(expected[i]!, 4));
  });

  it('ablation: revealing from the original takes the unrevealed pixels from the input, not the reconstruction', () => {
    const calls: StubCall[] = [];
    const [r] = attribute(stubEngine(calls), stubClassifier(), [vertebra], { revealFrom: 'original' });
    const x = stubImage();
    const compA = calls[3]!.input.subarray(N * N, 2 * N * N);
    expect(compA[REGION.coreA[0]!]).toBe(x[REGION.coreA[0]!]!);
    expect(compA[REGION.haloA[0]!]).toBe(x[REGION.haloA[0]!]!);
    expect(compA[REGION.coreB[0]!]).toBe(r!.edit[REGION.coreB[0]!]!);
    // Revealed core and D from x (+β from harmonising), hidden cores from the edit (+2β).
    const expected = [1, 0, 2].map((k) => delta(features(k, BIAS, 2 * BIAS, BIAS)));
    r!.candidates.forEach((c, i) => expect(c.delta).toBeCloseTo(expected[i]!, 4));
  });

  it('ablation: keep-all keeps every candidate unscored and runs no composite', () => {
    const calls: StubCall[] = [];
    const [r] = attribute(stubEngine(calls), stubClassifier(), [vertebra], { keepAll: true });
    expect(calls).toHaveLength(3);
    expect(r!.candidates.map((c) => [c.kept, c.delta, c.pCandidate])).toEqual([[true, null, null], [true, null, null], [true, null, null]]);
    const labelled = (v: number) => [...r!.labels.keys()].filter((i) => r!.labels[i] === v);
    expect(labelled(1)).toEqual(REGION.coreB);
    expect(labelled(2)).toEqual([...REGION.coreA, ...REGION.coreC].sort((a, b) => a - b));
  });

  it('minPMalignant: a vertebra at or below it gets no lesions and no composite; above it, nothing changes', () => {
    const calls: StubCall[] = [];
    const [gated] = attribute(stubEngine(calls), stubClassifier(), [vertebra], { minPMalignant: pM });
    expect(calls).toHaveLength(3); // encode, invert, render: no composite is harmonised or scored
    expect(gated!.candidates.map((c) => [c.kept, c.delta, c.pCandidate])).toEqual([[false, null, null], [false, null, null], [false, null, null]]);
    expect(gated!.labels.every((v) => v === 0)).toBe(true);
    const [open] = attribute(stubEngine(), stubClassifier(), [vertebra], { minPMalignant: pM - 1e-6 });
    const [plain] = attribute(stubEngine(), stubClassifier(), [vertebra], {});
    expect(open!.candidates.map((c) => c.delta)).toEqual(plain!.candidates.map((c) => c.delta));
    expect(Array.from(open!.labels)).toEqual(Array.from(plain!.labels));
    const [keepAllGated] = attribute(stubEngine(), stubClassifier(), [vertebra], { keepAll: true, minPMalignant: pM });
    expect(keepAllGated!.candidates.some((c) => c.kept)).toBe(false);
    expect(() => attribute(stubEngine(), stubClassifier(), [vertebra], { minPMalignant: 1 })).toThrow(/minPMalignant/);
  });

  it('keepBest: a scored vertebra whose candidates all fail Δ keeps its highest-Δ one; with a passing one, nothing changes', () => {
    // The default run keeps only B's blastic candidate (Δ > 0.5, test above); Δ by hand for A, B, C cores.
    const expected = [1, 0, 2].map((k) => delta(features(k, 2 * BIAS, 2 * BIAS, 2 * BIAS)));
    const best = expected.indexOf(Math.max(...expected));
    const high = Math.max(...expected) + 1;
    const [none] = attribute(stubEngine(), stubClassifier(), [vertebra], { deltaThreshold: high });
    expect(none!.candidates.some((c) => c.kept)).toBe(false);
    const [fallback] = attribute(stubEngine(), stubClassifier(), [vertebra], { deltaThreshold: high, keepBest: true });
    expect(fallback!.candidates.map((c) => c.kept)).toEqual(expected.map((_, i) => i === best));
    expect(best).toBe(1); // the blastic core A
    expect([...fallback!.labels.keys()].filter((i) => fallback!.labels[i] === 2)).toEqual(REGION.coreA);
    const [passing] = attribute(stubEngine(), stubClassifier(), [vertebra], { keepBest: true });
    expect(passing!.candidates.map((c) => c.kept)).toEqual([false, true, false]);
    // A gated vertebra has nothing to explain, so keepBest adds nothing.
    const [gated] = attribute(stubEngine(), stubClassifier(), [vertebra], { keepBest: true, minPMalignant: pM });
    expect(gated!.candidates.some((c) => c.kept)).toBe(false);
    expect(() => attribute(stubEngine(), stubClassifier(), [vertebra], { keepBest: 'yes' as never })).toThrow(/keepBest must be true or false/);
  });

  it("deltaReference 'harmonised': Δ between the harmonised recon and all-healed composite, scored in the candidates' batch", () => {
    const calls: StubCall[] = [];
    const [r] = attribute(stubEngine(calls), stubClassifier(), [vertebra], { deltaReference: 'harmonised' });
    expect(calls.slice(3).map((c) => [c.op, c.batch])).toEqual([['encode', 5], ['invert', 5], ['render', 5], ['encode', 5]]);
    expect(calls[3]!.input.subarray(0, N * N)).toEqual(r!.recon);
    // Reveal-all is recon (every core Z + 2β); reveal-none heals every core (ZH + 2β); D is never healed.
    const high = sigmoid(logit(Z.map((z) => z + 2 * BIAS)));
    const low = sigmoid(logit([0, 1, 2, 3].map((j) => (j === 3 ? Z[3]! : ZH[j]!) + 2 * BIAS)));
    expect(r!.measuredReference!.high).toBeCloseTo(high, 6);
    expect(r!.measuredReference!.low).toBeCloseTo(low, 6);
    const expected = [1, 0, 2].map((k) => (sigmoid(logit(features(k, 2 * BIAS, 2 * BIAS, 2 * BIAS))) - low) / (high - low + 1e-8));
    r!.candidates.forEach((c, i) => expect(c.delta).toBeCloseTo(expected[i]!, 4));
    expect(r!.candidates.map((c) => c.kept)).toEqual(expected.map((d) => d > 0.5));
    const [latent] = attribute(stubEngine(), stubClassifier(), [vertebra], {});
    expect(latent!.measuredReference).toBeNull();
    expect(() => attribute(stubEngine(), stubClassifier(), [vertebra], { deltaReference: 'x' as never })).toThrow(/deltaReference/);
  });

  it('typeShare: a type that alone restores more than the share of the malignant reading is the reference of its own candidates', () => {
    const calls: StubCall[] = [];
    const [r] = attribute(stubEngine(calls), stubClassifier(), [vertebra], { typeShare: 0.2 });
    // Two type composites (lytic: B revealed; blastic: A and C) before the three candidates', in one batch.
    expect(calls.slice(3).map((c) => [c.op, c.batch])).toEqual([['encode', 5], ['invert', 5], ['render', 5], ['encode', 5]]);
    const p = (f: number[]) => sigmoid(logit(f));
    const pLytic = p(features(1, 2 * BIAS, 2 * BIAS, 2 * BIAS));
    const pBlastic = p([Z[0]! + 2 * BIAS, ZH[1]! + 2 * BIAS, Z[2]! + 2 * BIAS, Z[3]! + 2 * BIAS]);
    expect(r!.typeReadings!.lytic).toBeCloseTo(pLytic, 6);
    expect(r!.typeReadings!.blastic).toBeCloseTo(pBlastic, 6);
    const share = (pT: number) => (pT - pH) / (pM - pH + 1e-8);
    const high = (pT: number) => (share(pT) > 0.2 ? pT : pM);
    const expected = [[1, pLytic], [0, pBlastic], [2, pBlastic]].map(([k, pT]) => (p(features(k!, 2 * BIAS, 2 * BIAS, 2 * BIAS)) - pH) / (high(pT!) - pH + 1e-8));
    r!.candidates.forEach((c, i) => expect(c.delta).toBeCloseTo(expected[i]!, 4));
    expect(r!.candidates.map((c) => c.kept)).toEqual(expected.map((d) => d > 0.5));
    // Here blastic carries more than the share (its reading is above p_m) and lytic less: lytic keeps the SPEC's Δ.
    expect(share(pBlastic)).toBeGreaterThan(1);
    expect(share(pLytic)).toBeLessThan(0.2);
    const [plain] = attribute(stubEngine(), stubClassifier(), [vertebra], {});
    expect(r!.candidates[0]!.delta).toBeCloseTo(plain!.candidates[0]!.delta!, 6);
    expect(r!.candidates[1]!.delta).toBeLessThan(plain!.candidates[1]!.delta!);
    expect(plain!.typeReadings).toBeNull();
    expect(() => attribute(stubEngine(), stubClassifier(), [vertebra], { typeShare: 1 })).toThrow(/typeShare must be in \[0, 1\) or null, got 1/);
  });

  it('centreMaps: the composites paste the edit less its body median, so a body-wide shift is not healing', () => {
    // The stub's edit, darkened by 1/4 everywhere (the first render's second half): the body median of edit − recon is −1/4.
    const calls: StubCall[] = [];
    const inner = stubEngine(calls);
    let first = true;
    const engine = {
      ...inner,
      render: (xT: Tensor, z: Tensor, steps: number, onStep?: () => void, tMax?: number) => {
        const out = inner.render(xT, z, steps, onStep, tMax);
        if (!first) return out;
        first = false;
        const n = out.size(0) / 2;
        return torch.tidy(() => torch.cat([out.narrow(0, 0, n), out.narrow(0, n, n).sub(0.25)], 0));
      },
    };
    const [r] = attribute(engine, stubClassifier(), [vertebra], { centreMaps: true });
    const [plain] = attribute(stubEngine(), stubClassifier(), [vertebra], {});
    expect(r!.candidates.map((c) => c.pixels)).toEqual(plain!.candidates.map((c) => c.pixels));
    // Composite of the first candidate (B revealed): A's core comes from the edit + 1/4, i.e. the unshifted edit.
    const comp = calls[3]!.input.subarray(0, N * N);
    expect(comp[REGION.coreA[0]!]).toBeCloseTo(r!.edit[REGION.coreA[0]!]! + 0.25, 6);
    expect(comp[REGION.coreA[0]!]).toBeCloseTo(plain!.edit[REGION.coreA[0]!]!, 6);
    r!.candidates.forEach((c, i) => expect(c.delta).toBeCloseTo(plain!.candidates[i]!.delta!, 6));
  });

  it('the Δ threshold decides what is kept', () => {
    const [r] = attribute(stubEngine(), stubClassifier(), [vertebra], { deltaThreshold: -1 });
    expect(r!.candidates.every((c) => c.kept)).toBe(true);
  });

  it('fast: all candidates of a group in one call per stage; reference: one image per call; same results', () => {
    const fastCalls: StubCall[] = [];
    const refCalls: StubCall[] = [];
    const group = [vertebra, { image: stubImage().map((v) => v + 0.0625), mask: MASK }];
    const fast = attribute(stubEngine(fastCalls), stubClassifier(), group, { schedule: 'fast' });
    const ref = attribute(stubEngine(refCalls), stubClassifier(), group, { schedule: 'reference' });
    expect(fastCalls.map((c) => c.batch)).toEqual([2, 2, 4, 6, 6, 6, 6]);
    expect(refCalls.every((c) => c.batch === 1)).toBe(true);
    expect(refCalls).toHaveLength(2 * (1 + 1 + 2 + 3 * 4));
    expect(fast.map((r) => r.candidates.map((c) => c.delta))).toEqual(ref.map((r) => r.candidates.map((c) => c.delta)));
  });

  it('each stage takes its schedule\'s DDIM steps; explicit options override them', () => {
    const stages = (calls: StubCall[]) => calls.filter((c) => c.op !== 'encode').map((c) => `${c.op}:${c.steps}`);
    for (const schedule of ['fast', 'preview'] as const) {
      const calls: StubCall[] = [];
      attribute(stubEngine(calls), stubClassifier(), [vertebra], { schedule });
      const f = SCHEDULE_SETTINGS[schedule];
      const harmonised = [`invert:${f.harmoniseInversionSteps}`, `render:${f.harmoniseRenderSteps}`];
      expect(stages(calls)).toEqual([`invert:${f.inversionSteps}`, `render:${f.renderSteps}`, ...harmonised]);
    }
    // Preview costs less than fast, per vertebra and per candidate.
    const { fast, preview } = SCHEDULE_SETTINGS;
    expect(preview.inversionSteps + 2 * preview.renderSteps).toBeLessThan(fast.inversionSteps + 2 * fast.renderSteps);
    expect(preview.harmoniseInversionSteps + preview.harmoniseRenderSteps).toBeLessThan(fast.harmoniseInversionSteps + fast.harmoniseRenderSteps);
    const refCalls: StubCall[] = [];
    attribute(stubEngine(refCalls), stubClassifier(), [vertebra], { schedule: 'reference', harmoniseRenderSteps: 7 });
    // One image per call: recon and edit are two renders; then the three candidates' inversions and renders.
    expect(stages(refCalls)).toEqual(['invert:250', 'render:100', 'render:100', ...Array(3).fill('invert:250'), ...Array(3).fill('render:7')]);
  });

  it('editTMax encodes the vertebra partially (its inversion and renders only); the harmonisation stays full', () => {
    const calls: StubCall[] = [];
    attribute(stubEngine(calls), stubClassifier(), [vertebra], { editTMax: 400 });
    const stages = calls.filter((c) => c.op !== 'encode').map((c) => `${c.op}:${c.tMax ?? 'full'}`);
    expect(stages).toEqual(['invert:400', 'render:400', 'invert:full', 'render:full']);
    const spec: StubCall[] = [];
    attribute(stubEngine(spec), stubClassifier(), [vertebra]);
    expect(spec.every((c) => c.tMax === undefined)).toBe(true);
    expect(() => attribute(stubEngine(), stubClassifier(), [vertebra], { editTMax: 0 })).toThrow(/editTMax/);
    expect(() => attribute(stubEngine(), stubClassifier(), [vertebra], { editTMax: 1001 })).toThrow(/editTMax/);
    expect(() => attribute(stubEngine(), stubClassifier(), [vertebra], { editTMax: 2.5 })).toThrow(/editTMax/);
  });

  it('harmoniseTMax stops only the harmonisation cycle at that noise level', () => {
    const calls: StubCall[] = [];
    attribute(stubEngine(calls), stubClassifier(), [vertebra], { editTMax: 400, harmoniseTMax: 300 });
    const stages = calls.filter((c) => c.op !== 'encode').map((c) => `${c.op}:${c.tMax ?? 'full'}`);
    expect(stages).toEqual(['invert:400', 'render:400', 'invert:300', 'render:300']);
    expect(() => attribute(stubEngine(), stubClassifier(), [vertebra], { harmoniseTMax: 0 })).toThrow(/harmoniseTMax/);
    expect(() => attribute(stubEngine(), stubClassifier(), [vertebra], { harmoniseTMax: 1200 })).toThrow(/harmoniseTMax/);
  });

  it('rejects bad options and mismatched slices', () => {
    expect(() => attribute(stubEngine(), stubClassifier(), [vertebra], { harmoniseInversionSteps: 1.5 })).toThrow(/harmoniseInversionSteps/);
    expect(() => attribute(stubEngine(), stubClassifier(), [vertebra], { schedule: 'slow' as 'fast' })).toThrow(/schedule/);
    expect(() => attribute(stubEngine(), stubClassifier(), [vertebra], { renderSteps: 0 })).toThrow(/renderSteps/);
    expect(() => attribute(stubEngine(), stubClassifier(), [{ image: new Float32Array(10), mask: MASK }])).toThrow(/16×16/);
  });
});
