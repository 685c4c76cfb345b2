// The report as one self-contained HTML page: no external resources (figures are data: URIs), a metrics
// table when an evaluation is given, one sortable row per vertebra, and an optional notice at the top.
import type { ClassName, Detection, EvaluationResults } from '../method/evaluation/evaluate.js';
import type { CaseResult as EvalCaseResult } from '../method/evaluation/evaluate.js';
import { errorPixels } from './evaluation-folder.js';
import type { SegmentCase } from './segment-folder.js';

export interface ReportInput {
  title: string;
  segDir: string;
  cases: readonly (SegmentCase & { figurePng: Uint8Array })[];
  evaluation?: EvaluationResults;
  /** A caveat shown prominently above everything else (e.g. what the model was trained on). */
  notice?: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const fmt = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? '—' : x.toFixed(digits));
// Sort keys travel as data attributes; an empty one sorts last.
const key = (x: number | null | undefined) => (x === null || x === undefined ? '' : String(x));

function metricsTable(e: EvaluationResults): string {
  const det = (d: Detection) => `${d.tp}/${d.fp}/${d.fn}</td><td>${fmt(d.f1)}`;
  const row = (n: ClassName) => {
    const s = e[n];
    return `<tr><th>${n}</th><td>${fmt(s.diceMean)} (n=${s.diceCases})</td><td>${fmt(s.dicePooled)}</td><td>${det(s.lesions)}</td><td>${det(s.lesionsAnyOverlap)}</td></tr>`;
  };
  const v = e.vertebra;
  return `<h2>Evaluation (${e.cases} vertebrae)</h2>
<table class="metrics"><thead><tr><th>class</th><th>Dice mean</th><th>Dice pooled</th><th>lesions TP/FP/FN (IoU≥0.5)</th><th>F1</th><th>TP/FP/FN (any overlap)</th><th>F1</th></tr></thead>
<tbody>${row('lytic')}${row('blastic')}</tbody></table>
<table class="metrics"><thead><tr><th>vertebra</th><th>TP</th><th>FP</th><th>TN</th><th>FN</th><th>sensitivity</th><th>specificity</th></tr></thead>
<tbody><tr><th>malignant</th><td>${v.tp}</td><td>${v.fp}</td><td>${v.tn}</td><td>${v.fn}</td><td>${fmt(v.sensitivity)}</td><td>${fmt(v.specificity)}</td></tr></tbody></table>
<details><summary>Rules</summary><ul>${e.rules.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul></details>`;
}

function candidateList(c: SegmentCase): string {
  if (c.result.candidates.length === 0) return '<span class="muted">no candidates</span>';
  return `<ol>${c.result.candidates
    .map((k) => `<li class="${k.type}${k.kept ? ' kept' : ''}">${k.type} ${k.pixels} px, Δ ${k.delta === null ? 'not scored' : k.delta.toFixed(2)} ${k.kept ? 'kept' : 'dropped'}</li>`)
    .join('')}</ol>`;
}

function caseRow(c: ReportInput['cases'][number], evaluated: EvalCaseResult | undefined): string {
  const r = c.result;
  const deltas = r.candidates.map((k) => k.delta).filter((d): d is number => d !== null);
  const maxDelta = deltas.length > 0 ? Math.max(...deltas) : null;
  const error = evaluated === undefined ? undefined : errorPixels(evaluated);
  const png = `data:image/png;base64,${Buffer.from(c.figurePng).toString('base64')}`;
  return `<tr data-delta="${key(maxDelta)}" data-pmalignant="${key(r.pMalignant)}" data-error="${key(error)}" data-case="${escapeHtml(c.id)}">
<td><b>${escapeHtml(c.id)}</b>${r.label === undefined ? '' : `<br>label ${r.label}`}</td>
<td>${fmt(r.pMalignant)}</td><td>${fmt(maxDelta, 2)}</td>
<td><span class="lytic">${r.lesions.lytic.areaMm2.toFixed(1)}</span> / <span class="blastic">${r.lesions.blastic.areaMm2.toFixed(1)}</span></td>
<td>${evaluated === undefined ? '—' : `${fmt(evaluated.lytic.dice)} / ${fmt(evaluated.blastic.dice)}<br>${error} px`}</td>
<td>${candidateList(c)}</td>
<td><img alt="figure of ${escapeHtml(c.id)}: input, reconstruction, healthy edit, difference, candidates by Δ, lytic/blastic result" src="${png}"></td></tr>`;
}

// Sorts the rows by a data attribute, descending; a second click on the same button reverses.
const SORT_SCRIPT = `
for (const b of document.querySelectorAll('button[data-sort]')) b.addEventListener('click', () => {
  const k = b.dataset.sort, body = document.querySelector('#cases tbody');
  const dir = b.dataset.dir === 'desc' ? 1 : -1; b.dataset.dir = dir < 0 ? 'desc' : 'asc';
  const v = (tr) => tr.dataset[k] === '' ? null : Number(tr.dataset[k]);
  const rows = [...body.rows].sort((x, y) => { const a = v(x), c = v(y);
    return a === null ? (c === null ? 0 : 1) : c === null ? -1 : dir * (a - c); });
  body.append(...rows);
});`;

const STYLE = `body{font:14px system-ui,sans-serif;margin:1.5em;background:#fafafa;color:#222}
.notice{border:2px solid #c60;background:#fff3e0;padding:.8em 1em;margin:1em 0;font-weight:600}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}
#cases img{max-width:520px;image-rendering:pixelated}.lytic{color:#c32}.blastic{color:#27f}li:not(.kept){opacity:.6}.muted{color:#888}
button{margin-right:.5em}#cases ol{margin:0;padding-left:1.6em;font-size:12px;white-space:nowrap}`;

export function renderReportHtml(input: ReportInput): string {
  const byId = new Map((input.evaluation?.perCase ?? []).map((c) => [c.id, c]));
  const sortButtons = [['delta', 'largest Δ'], ['pmalignant', 'p_malignant'], ...(input.evaluation ? [['error', 'error']] : [])]
    .map(([k, label]) => `<button data-sort="${k}">sort by ${label}</button>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<style>${STYLE}</style></head><body>
<h1>${escapeHtml(input.title)}</h1>
${input.notice ? `<p class="notice" id="notice">${escapeHtml(input.notice)}</p>` : ''}
<p>Segment output: <code>${escapeHtml(input.segDir)}</code>, ${input.cases.length} vertebrae. Lytic lesions red, blastic blue; Δ is the drop in P(malignant) when a candidate is hidden (kept when above the run's threshold).</p>
${input.evaluation ? metricsTable(input.evaluation) : '<p class="muted">No evaluation given (hsa report --eval DIR adds Dice, lesion F1 and per-vertebra errors).</p>'}
<h2>Vertebrae</h2><p>${sortButtons}</p>
<table id="cases"><thead><tr><th>case</th><th>p_malignant</th><th>largest Δ</th><th>area mm² lytic / blastic</th><th>Dice lytic / blastic, error</th><th>candidates</th><th>figure</th></tr></thead>
<tbody>${input.cases.map((c) => caseRow(c, byId.get(c.id))).join('\n')}</tbody></table>
<script>${SORT_SCRIPT}</script>
</body></html>
`;
}
