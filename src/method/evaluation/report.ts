// The evaluation as a printed table (with its rules), one-row metrics CSV, per-vertebra CSV and JSON.
import { toCsv } from '../../io/csv.js';
import { join } from 'node:path';
import { writeFileAtomic } from '../../data/files.js';
import { CLASSES, type ClassName, type Detection, type EvaluationResults } from './evaluate.js';

const NAMES = Object.keys(CLASSES) as ClassName[];

function fmt(x: number | null, digits = 3): string {
  return x === null ? 'n/a' : x.toFixed(digits);
}

function detectionCells(d: Detection): string[] {
  return [String(d.tp), String(d.fp), String(d.fn), fmt(d.precision), fmt(d.recall), fmt(d.f1)];
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatReport(r: EvaluationResults): string {
  const det = ['TP', 'FP', 'FN', 'precision', 'recall', 'F1'];
  const v = r.vertebra;
  return [
    `Evaluation of ${r.cases} vertebrae`,
    '',
    table(
      ['class', 'Dice mean', 'n', 'Dice pooled'],
      NAMES.map((n) => [n, fmt(r[n].diceMean), String(r[n].diceCases), fmt(r[n].dicePooled)]),
    ),
    '',
    table(['lesions', ...det], [
      ...NAMES.map((n) => [`${n} IoU≥0.5`, ...detectionCells(r[n].lesions)]),
      ...NAMES.map((n) => [`${n} any overlap`, ...detectionCells(r[n].lesionsAnyOverlap)]),
    ]),
    '',
    table(['vertebra', 'TP', 'FP', 'TN', 'FN', 'sensitivity', 'specificity'], [
      ['malignant', String(v.tp), String(v.fp), String(v.tn), String(v.fn), fmt(v.sensitivity), fmt(v.specificity)],
    ]),
    '',
    'Rules:',
    ...r.rules.map((s) => `- ${s}`),
  ].join('\n');
}

/** The headline numbers as one flat record (one CSV row; a benchmark adds one row per method). */
export function summaryRecord(r: EvaluationResults): Record<string, number | null> {
  const out: Record<string, number | null> = { cases: r.cases };
  for (const n of NAMES) {
    const s = r[n];
    Object.assign(out, {
      [`dice_mean_${n}`]: s.diceMean,
      [`dice_cases_${n}`]: s.diceCases,
      [`dice_pooled_${n}`]: s.dicePooled,
      [`lesion_tp_${n}`]: s.lesions.tp,
      [`lesion_fp_${n}`]: s.lesions.fp,
      [`lesion_fn_${n}`]: s.lesions.fn,
      [`lesion_precision_${n}`]: s.lesions.precision,
      [`lesion_recall_${n}`]: s.lesions.recall,
      [`lesion_f1_${n}`]: s.lesions.f1,
      [`any_overlap_f1_${n}`]: s.lesionsAnyOverlap.f1,
    });
  }
  const v = r.vertebra;
  return { ...out, vertebra_tp: v.tp, vertebra_fp: v.fp, vertebra_tn: v.tn, vertebra_fn: v.fn, sensitivity: v.sensitivity, specificity: v.specificity };
}

export function metricsCsv(r: EvaluationResults): string {
  const rec = summaryRecord(r);
  return toCsv(Object.keys(rec), [Object.values(rec)]);
}

export function casesCsv(r: EvaluationResults): string {
  const perClass = ['pred_px', 'truth_px', 'overlap_px', 'dice', 'tp', 'fp', 'fn', 'tp_any', 'fp_any', 'fn_any'];
  const header = ['case', 'truth_malignant', 'truth_from', 'predicted_malignant', ...NAMES.flatMap((n) => perClass.map((k) => `${k}_${n}`))];
  const rows = r.perCase.map((c) => [
    c.id,
    c.truthMalignant ? 1 : 0,
    c.truthFrom,
    c.predictedMalignant ? 1 : 0,
    ...NAMES.flatMap((n) => {
      const k = c[n];
      return [k.pred, k.truth, k.both, k.dice, k.lesions.tp, k.lesions.fp, k.lesions.fn, k.lesionsAnyOverlap.tp, k.lesionsAnyOverlap.fp, k.lesionsAnyOverlap.fn];
    }),
  ]);
  return toCsv(header, rows);
}

/** Writes evaluation.json, metrics.csv and cases.csv into dir (each atomically); returns their paths. */
export function writeEvaluation(dir: string, r: EvaluationResults): string[] {
  const files: [string, string][] = [
    ['evaluation.json', `${JSON.stringify(r, null, 2)}\n`],
    ['metrics.csv', metricsCsv(r)],
    ['cases.csv', casesCsv(r)],
  ];
  return files.map(([name, text]) => {
    writeFileAtomic(join(dir, name), text);
    return join(dir, name);
  });
}
