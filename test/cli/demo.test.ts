// `hsa demo` end to end on a micro model (random weights, so the masks mean nothing): the synthetic set, the
// real sample, the evaluation of the synthetic cases only, and the report with its caveat.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hsa, writeMicroModel } from '../helpers/cli.js';

const steps = ['--inversion-steps', '2', '--render-steps', '2', '--harmonise-inversion-steps', '2', '--harmonise-render-steps', '2'];
let tmp: string;
let modelDir: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hsa-demo-'));
  modelDir = join(tmp, 'model');
  writeMicroModel(modelDir);
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(tmp, { recursive: true, force: true });
});

describe('hsa demo', () => {
  const out = () => join(tmp, 'demo');

  // No --sample-ct: the default must find the sample kept in the repository.
  it('segments the synthetic set and the real sample, evaluates the synthetic ones, writes the report', async () => {
    await hsa('demo', '--out', out(), '--model', modelDir, '--count', '3', ...steps);
    expect(readdirSync(out()).sort()).toEqual(['evaluation', 'report.html', 'segment', 'synthetic']);
    const cases = readdirSync(join(out(), 'segment')).filter((f) => !f.includes('.'));
    expect(cases.sort()).toEqual(['case_00000', 'case_00001', 'case_00002', 'sample_ct']);
    const evaluation = JSON.parse(readFileSync(join(out(), 'evaluation', 'evaluation.json'), 'utf8')) as { cases: number };
    expect(evaluation.cases).toBe(3);
    const html = readFileSync(join(out(), 'report.html'), 'utf8');
    expect(html).toContain('trained on synthetic vertebrae only');
    expect(html).toContain('sample_ct');
    const printed = vi.mocked(console.log).mock.calls.map((c) => String(c[0])).join('\n');
    expect(printed).toMatch(/Dice/);
  });

  it('refuses a non-empty output folder and leaves it as it was', async () => {
    const before = readdirSync(out()).sort();
    await expect(hsa('demo', '--out', out(), '--model', modelDir, '--count', '1', ...steps)).rejects.toThrow(`${out()}: output folder exists and is not empty`);
    expect(readdirSync(out()).sort()).toEqual(before);
  });

  it('names a sample CT that was asked for but does not exist, before writing anything', async () => {
    const missing = join(tmp, 'no-ct.nii');
    await expect(hsa('demo', '--out', join(tmp, 'demo3'), '--model', modelDir, '--sample-ct', missing, ...steps)).rejects.toThrow(`${missing}: not found`);
    expect(existsSync(join(tmp, 'demo3'))).toBe(false);
  });

  it('with --ct, also segments a whole DICOM CT into <out>/ct; a bad label map fails before anything is written', async () => {
    const spine = join(tmp, 'spine');
    await hsa('phantom', '--spine', '--seed', '5', '--out', spine);
    const missing = join(tmp, 'no-labels.nii.gz');
    const args = ['--model', modelDir, '--count', '1', '--ct', join(spine, 'ct'), ...steps];
    await expect(hsa('demo', '--out', join(tmp, 'demo-bad'), ...args, '--vertebrae', missing)).rejects.toThrow(missing);
    expect(existsSync(join(tmp, 'demo-bad'))).toBe(false);
    const dir = join(tmp, 'demo-ct');
    await hsa('demo', '--out', dir, ...args, '--vertebrae', join(spine, 'vertebrae.nii.gz'), '--levels', 'L1');
    expect(readdirSync(dir).sort()).toEqual(['ct', 'evaluation', 'report.html', 'segment', 'synthetic']);
    const stats = JSON.parse(readFileSync(join(dir, 'ct', 'statistics.json'), 'utf8')) as Record<string, { level: string }>;
    expect(Object.values(stats).map((s) => s.level)).toEqual(['L1']);
    expect(existsSync(join(dir, 'ct', 'lesions.nii.gz'))).toBe(true);
  });

  it('names a missing model', async () => {
    const missing = join(tmp, 'nope');
    await expect(hsa('demo', '--out', join(tmp, 'demo2'), '--model', missing, ...steps)).rejects.toThrow(missing);
    expect(existsSync(join(tmp, 'demo2'))).toBe(false);
  });
});
