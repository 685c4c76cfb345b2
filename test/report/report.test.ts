import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { register } from '../../src/cli/commands/report.js';
import { evaluate } from '../../src/method/evaluation/evaluate.js';
import { writeEvaluation } from '../../src/method/evaluation/report.js';
import { writeReport } from '../../src/report/write-report.js';
import { SIZE, writeSegmentFixture } from './segment-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'hsa-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const seg = join(root, 'seg');
mkdirSync(seg);
writeSegmentFixture(seg, ['case-a', 'case-<b>']);

// Truth: case-a has its lesion where predicted (error 0); case-<b> has none (the 36 predicted pixels are wrong).
const evalDir = join(root, 'eval');
mkdirSync(evalDir);
const labels = (withLesion: boolean) => {
  const data = new Uint8Array(SIZE * SIZE);
  if (withLesion) for (let r = 6; r < 12; r++) for (let c = 6; c < 12; c++) data[r * SIZE + c] = 1;
  return { rows: SIZE, cols: SIZE, data };
};
writeEvaluation(evalDir, evaluate([
  { id: 'case-a', pred: labels(true), truth: labels(true) },
  { id: 'case-<b>', pred: labels(true), truth: labels(false) },
]));

function cli(...args: string[]): Promise<unknown> {
  const program = new Command().exitOverride();
  register(program);
  return program.parseAsync(['node', 'hsa', 'report', ...args]);
}

describe('hsa report', () => {
  it('writes one self-contained page: figures inlined, nothing fetched from elsewhere', async () => {
    const out = join(root, 'report.html');
    await cli('--seg', seg, '--eval', evalDir, '--out', out, '--notice', 'Trained on synthetic data <only>');
    const html = readFileSync(out, 'utf8');
    expect(html.match(/<img [^>]*src="data:image\/png;base64,/g)).toHaveLength(2);
    // Every src/href is a data: URI; the CSP forbids any other load.
    expect([...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]!.slice(0, 5))).toEqual(['data:', 'data:']);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('<p class="notice" id="notice">Trained on synthetic data &#60;only&#62;</p>');
    expect(html).toContain('case-&#60;b&#62;');
    expect(html).not.toContain('case-<b>');
  });

  it('has the metrics table and per-vertebra sort keys: Δ, p_malignant, error', () => {
    const out = join(root, 'with-eval.html');
    writeReport({ seg, eval: evalDir, out });
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('Evaluation (2 vertebrae)');
    expect(html).toContain('data-sort="error"');
    expect(html).toMatch(/data-delta="0.8" data-pmalignant="0.9" data-error="0" data-case="case-a"/);
    expect(html).toMatch(/data-delta="0.8" data-pmalignant="0.8" data-error="36" data-case="case-&#60;b&#62;"/);
    expect(html).toContain('blastic 36 px, Δ 0.30 dropped');
  });

  it('without an evaluation: no metrics, no error sort, empty error keys', () => {
    const out = join(root, 'no-eval.html');
    writeReport({ seg, out });
    const html = readFileSync(out, 'utf8');
    expect(html).not.toContain('Evaluation (');
    expect(html).not.toContain('data-sort="error"');
    expect(html).toContain('data-error=""');
    expect(html).not.toContain('class="notice"');
  });

  it('rejects inputs that are not what they claim, naming them', async () => {
    const out = join(root, 'bad.html');
    await expect(cli('--seg', join(root, 'nope'), '--out', out)).rejects.toThrow(`${join(root, 'nope')}: segment output folder not found`);
    await expect(cli('--seg', evalDir, '--out', out)).rejects.toThrow(`${evalDir}: not a segment output folder (no summary.csv`);
    await expect(cli('--seg', seg, '--eval', seg, '--out', out)).rejects.toThrow(`${seg}: not an evaluation folder`);
    await expect(cli('--seg', seg, '--out', join(root, 'no-such-dir', 'r.html'))).rejects.toThrow('does not exist');

    const broken = join(root, 'broken');
    mkdirSync(broken);
    writeSegmentFixture(broken, ['x']);
    rmSync(join(broken, 'x', 'maps.safetensors'));
    await expect(cli('--seg', broken, '--out', out)).rejects.toThrow(`${join(broken, 'x', 'maps.safetensors')}: missing`);
    const broken2 = join(root, 'broken2');
    mkdirSync(broken2);
    writeSegmentFixture(broken2, ['x']);
    writeFileSync(join(broken2, 'x', 'result.json'), '{"caseId": "x"}');
    await expect(cli('--seg', broken2, '--out', out)).rejects.toThrow(`${join(broken2, 'x', 'result.json')}: not a segment result.json`);
    writeFileSync(join(broken2, 'summary.csv'), 'case_id,image\n../escape,a\n');
    await expect(cli('--seg', broken2, '--out', out)).rejects.toThrow('row 1 has no valid case_id');
  });

  it('refuses an evaluation of other vertebrae', () => {
    const other = join(root, 'other');
    mkdirSync(other);
    writeSegmentFixture(other, ['zzz']);
    expect(() => writeReport({ seg: other, eval: evalDir, out: join(root, 'x.html') })).toThrow('shares no vertebra');
  });
});
