// `hsa report` as a function (the demo calls it too): reads a segment folder and optionally an evaluation,
// writes one self-contained HTML file atomically.
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readInputFile, writeFileAtomic } from '../data/files.js';
import { FIGURE_FILE } from '../method/attribution/outputs.js';
import { readEvaluationFolder } from './evaluation-folder.js';
import { renderReportHtml } from './report-html.js';
import { readSegmentFolder } from './segment-folder.js';

export interface ReportOptions {
  seg: string;
  eval?: string;
  out: string;
  notice?: string;
  title?: string;
}

export function writeReport(o: ReportOptions): { cases: number; bytes: number } {
  const parent = dirname(o.out);
  if (!existsSync(parent) || !statSync(parent).isDirectory()) throw new Error(`${o.out}: folder ${parent} does not exist`);
  if (existsSync(o.out) && statSync(o.out).isDirectory()) throw new Error(`${o.out}: is a folder; give a file name such as report.html`);
  const folder = readSegmentFolder(o.seg);
  const evaluation = o.eval === undefined ? undefined : readEvaluationFolder(o.eval);
  if (evaluation && !evaluation.perCase.some((e) => folder.cases.some((c) => c.id === e.id))) {
    throw new Error(`${o.eval}: the evaluation shares no vertebra with ${o.seg}`);
  }
  const html = renderReportHtml({
    title: o.title ?? 'Hide-and-Seek Attribution report',
    segDir: o.seg,
    cases: folder.cases.map((c) => ({ ...c, figurePng: readInputFile(join(c.dir, FIGURE_FILE)) })),
    ...(evaluation ? { evaluation } : {}),
    ...(o.notice ? { notice: o.notice } : {}),
  });
  writeFileAtomic(o.out, html);
  return { cases: folder.cases.length, bytes: Buffer.byteLength(html) };
}
