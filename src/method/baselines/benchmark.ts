// `hsa benchmark`: every method on the same vertebrae, each method's predictions written as `hsa segment`
// writes them (<out>/<method>/<case-id>/lesions.nii.gz), read back and scored with `hsa evaluate`'s rules;
// one table (Markdown, CSV, JSON) and one comparison figure.
import { join } from 'node:path';
import { withOutputDir, writeFileAtomic } from '../../data/files.js';
import type { ManifestRow } from '../../data/manifest.js';
import type { VertebraInput } from '../attribution/inputs.js';
import { type EvalCase, evaluate, type EvaluationResults, RULES } from '../evaluation/evaluate.js';
import { loadEvalCases } from '../evaluation/load-cases.js';
import { BOOTSTRAP_METRICS, type BootstrapMetric, type BootstrapSettings, type Interval, pairedBootstrap } from '../evaluation/bootstrap.js';
import { summaryRecord } from '../evaluation/report.js';
import { BLASTIC, LYTIC, type Mask2D } from '../regions/mask.js';
import { type ComparisonRow, renderComparisonFigure } from './figures.js';
import { toCsv } from '../../io/csv.js';

export const BENCHMARK_FILES = { markdown: 'benchmark.md', csv: 'benchmark.csv', json: 'benchmark.json', figure: 'benchmark.png' } as const;

export interface BenchmarkMethod {
  /** Folder name under the output. */
  key: string;
  /** Table row and figure column name. */
  label: string;
  /**
   * Writes the method's predictions for every case into outDir (which it creates). Returns the method's
   * own seconds when they are not the time of this call (predictions copied from an earlier run).
   */
  run(outDir: string): Promise<number | void>;
}

export interface BenchmarkCase {
  input: VertebraInput;
  /** Its manifest row (lesion_msk is the ground truth). */
  row: ManifestRow;
}

export interface BenchmarkRow {
  key: string;
  label: string;
  seconds: number;
  secondsPerVertebra: number;
  evaluation: EvaluationResults;
  /** This row minus the reference row, per metric, with its paired bootstrap interval (absent on the reference itself). */
  againstReference?: Record<BootstrapMetric, Interval>;
}

export interface BenchmarkRun {
  methods: readonly BenchmarkMethod[];
  cases: readonly BenchmarkCase[];
  outDir: string;
  /** Written into benchmark.md / .json (data set, split, model files). */
  description: Record<string, string>;
  /** Methods left out, with why. */
  skipped: readonly string[];
  figureCases: number;
  /** Paired bootstrap of every row against the reference row (the method with this key, else the first); none when absent. */
  bootstrap?: BootstrapSettings & { referenceKey?: string };
  onMethod?: (label: string, index: number, total: number) => void;
}

/** Up to n vertebrae with true lesions, alternating one holding a lytic and one holding a blastic lesion, in order. */
export function pickFigureCases(truths: readonly Mask2D[], n: number): number[] {
  const holding = (cls: number) => truths.flatMap((t, i) => (t.data.includes(cls) ? [i] : []));
  const queues = [holding(LYTIC), holding(BLASTIC)];
  const picked: number[] = [];
  for (let k = 0; picked.length < n && queues.some((q) => q.length > 0); k++) {
    const q = queues[k % 2]!;
    while (q.length > 0 && picked.includes(q[0]!)) q.shift();
    if (q.length > 0) picked.push(q.shift()!);
  }
  return picked;
}

const fmt = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
const signed = (x: number | null) => (x === null ? 'n/a' : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`);

/** The reference row minus every other row, 95 % interval in brackets, bold where the interval excludes 0. */
function comparisonMarkdown(rows: readonly BenchmarkRow[], settings: BootstrapSettings, cases: number): string[] {
  const reference = rows.find((r) => r.againstReference === undefined);
  const others = rows.filter((r) => r.againstReference !== undefined);
  if (!reference || others.length === 0) return [];
  const cell = (i: Interval) => {
    if (i.difference === null) return 'n/a';
    const text = `${signed(i.difference === null ? null : -i.difference)} [${signed(i.high === null ? null : -i.high)}, ${signed(i.low === null ? null : -i.low)}]`;
    return i.low !== null && i.high !== null && (i.low > 0 || i.high < 0) ? `**${text}**` : text;
  };
  return [
    '',
    `${reference.label} minus each method, with a ${Math.round(settings.level * 100)} % paired bootstrap interval (${settings.resamples} resamples of the ${cases} vertebrae, seed ${settings.seed}); positive: ${reference.label} scores higher; bold: the interval excludes 0.`,
    '',
    `| ${reference.label} minus | ${BOOTSTRAP_METRICS.map((m) => m.label).join(' | ')} |`,
    `|---|${BOOTSTRAP_METRICS.map(() => '---:').join('|')}|`,
    ...others.map((r) => `| ${r.label} | ${BOOTSTRAP_METRICS.map((m) => cell(r.againstReference![m.key])).join(' | ')} |`),
  ];
}

export function benchmarkMarkdown(rows: readonly BenchmarkRow[], run: Pick<BenchmarkRun, 'description' | 'skipped' | 'bootstrap'>, cases: number, figure: boolean): string {
  const lines = [
    `# Benchmark: ${cases} vertebrae`,
    '',
    ...Object.entries(run.description).map(([k, v]) => `- ${k}: ${v}`),
    '',
    '| Method | Dice lytic | Dice blastic | F1 lytic | F1 blastic | Sensitivity | Specificity | s / vertebra |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => {
      const e = r.evaluation;
      return `| ${r.label} | ${[e.lytic.diceMean, e.blastic.diceMean, e.lytic.lesions.f1, e.blastic.lesions.f1, e.vertebra.sensitivity, e.vertebra.specificity].map(fmt).join(' | ')} | ${r.secondsPerVertebra.toFixed(3)} |`;
    }),
    '',
    'Dice: mean of per-vertebra Dice over the vertebrae where the class is in truth or prediction (pooled Dice in benchmark.csv).',
    'F1: lesion-wise, lesions matched one-to-one at IoU ≥ 0.5, counts pooled over all vertebrae.',
    'Sensitivity / specificity: vertebra level, predicted malignant iff any lesion pixel is predicted.',
    "s / vertebra: wall-clock time of the method's whole run (model work and writing its outputs) divided by the vertebrae, on the machine that ran it.",
    ...(run.bootstrap ? comparisonMarkdown(rows, run.bootstrap, cases) : []),
    ...(run.skipped.length > 0 ? ['', 'Not run:', ...run.skipped.map((s) => `- ${s}`)] : []),
    ...(figure ? ['', `![comparison: rows = vertebrae; columns = image, ground truth, each method (lytic red, blastic blue)](${BENCHMARK_FILES.figure})`] : []),
    '',
  ];
  return lines.join('\n');
}

export function benchmarkCsv(rows: readonly BenchmarkRow[]): string {
  const records = rows.map((r) => ({ method: r.key, label: r.label, seconds_per_vertebra: r.secondsPerVertebra, ...summaryRecord(r.evaluation) }));
  return toCsv(Object.keys(records[0]!), records.map((r) => Object.values(r)));
}

export async function runBenchmark(run: BenchmarkRun): Promise<BenchmarkRow[]> {
  if (run.methods.length === 0) throw new Error('benchmark: no method to run');
  const rows = run.cases.map((c) => c.row);
  return withOutputDir(run.outDir, async (dir) => {
    const results: BenchmarkRow[] = [];
    const scored: EvalCase[][] = [];
    for (const [k, m] of run.methods.entries()) {
      run.onMethod?.(m.label, k, run.methods.length);
      const started = performance.now();
      const own = await m.run(join(dir, m.key));
      const seconds = typeof own === 'number' ? own : (performance.now() - started) / 1000;
      const cases = loadEvalCases(rows, join(dir, m.key));
      results.push({ key: m.key, label: m.label, seconds, secondsPerVertebra: seconds / rows.length, evaluation: evaluate(cases) });
      scored.push(cases);
    }
    if (run.bootstrap) {
      const ref = Math.max(0, results.findIndex((r) => r.key === run.bootstrap!.referenceKey));
      for (const r of results) if (r !== results[ref]) r.againstReference = pairedBootstrap(r.evaluation.perCase, results[ref]!.evaluation.perCase, run.bootstrap);
    }
    const figureCases = pickFigureCases(scored[0]!.map((c) => c.truth), run.figureCases);
    writeFileAtomic(join(dir, BENCHMARK_FILES.markdown), benchmarkMarkdown(results, run, rows.length, figureCases.length > 0));
    writeFileAtomic(join(dir, BENCHMARK_FILES.csv), benchmarkCsv(results));
    const json = {
      ...run.description, cases: rows.length, skipped: run.skipped, rules: RULES,
      ...(run.bootstrap ? { bootstrap: { ...run.bootstrap, reference: results.find((r) => !r.againstReference)!.key, differences: 'this row minus the reference row' } } : {}),
      methods: results.map(({ evaluation: { perCase: _perCase, rules: _rules, ...summary }, ...r }) => ({ ...r, summary })),
    };
    writeFileAtomic(join(dir, BENCHMARK_FILES.json), `${JSON.stringify(json, null, 2)}\n`);
    if (figureCases.length > 0) {
      const grid: ComparisonRow[] = figureCases.map((i) => ({
        title: run.cases[i]!.input.caseId, slice: run.cases[i]!.input.slice, truth: scored[0]![i]!.truth.data, predictions: scored.map((c) => c[i]!.pred.data),
      }));
      writeFileAtomic(join(dir, BENCHMARK_FILES.figure), renderComparisonFigure(results.map((r) => r.label), grid));
    }
    return results;
  });
}
