// Reads a folder written by `hsa segment` for the report and the viewer: summary.csv names the vertebrae,
// each <case-id>/ holds result.json, maps.safetensors and figure.png. Errors name the folder or file.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { FIGURE_FILE, MAPS_FILE, RESULT_FILE, SUMMARY_FILE } from '../method/attribution/outputs.js';
import { parseCaseResult, type CaseResult } from './case-result.js';
import { readInputFile, readInputText } from '../data/files.js';

export interface SegmentCase {
  id: string;
  /** Folder of the vertebra's files. */
  dir: string;
  result: CaseResult;
}

export interface SegmentFolder {
  dir: string;
  cases: SegmentCase[];
}

// A case id becomes a path segment (served by the viewer): one plain name, never a way out of the folder.
const SAFE_ID = /^(?!\.\.?$)[^/\\\0]+$/;

function caseIds(summaryPath: string): string[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(readInputFile(summaryPath), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  } catch (e) {
    throw new Error(`${summaryPath}: cannot read the segment summary (${(e as Error).message})`);
  }
  return rows.map((r, i) => {
    const id = r.case_id;
    if (id === undefined || !SAFE_ID.test(id)) throw new Error(`${summaryPath}: row ${i + 1} has no valid case_id (${JSON.stringify(id)})`);
    return id;
  });
}

function readCase(root: string, id: string): SegmentCase {
  const dir = join(root, id);
  for (const f of [RESULT_FILE, MAPS_FILE, FIGURE_FILE]) {
    if (!existsSync(join(dir, f))) throw new Error(`${join(dir, f)}: missing (every vertebra of a segment output has ${RESULT_FILE}, ${MAPS_FILE} and ${FIGURE_FILE})`);
  }
  const resultPath = join(dir, RESULT_FILE);
  let json: unknown;
  try {
    json = JSON.parse(readInputText(resultPath));
  } catch (e) {
    throw new Error(`${resultPath}: not JSON (${(e as Error).message})`);
  }
  return { id, dir, result: parseCaseResult(json, resultPath) };
}

/** The vertebrae of a segment output folder, in summary.csv order. */
export function readSegmentFolder(path: string): SegmentFolder {
  const dir = resolve(path);
  if (!existsSync(dir)) throw new Error(`${path}: segment output folder not found`);
  if (!statSync(dir).isDirectory()) throw new Error(`${path}: not a folder`);
  const summary = join(dir, SUMMARY_FILE);
  if (!existsSync(summary)) throw new Error(`${path}: not a segment output folder (no ${SUMMARY_FILE}; write one with \`hsa segment --out\`)`);
  const ids = caseIds(summary);
  if (ids.length === 0) throw new Error(`${summary}: lists no vertebrae`);
  return { dir, cases: ids.map((id) => readCase(dir, id)) };
}
