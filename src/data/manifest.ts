// Dataset manifests (.xlsx as the reference ships them, .csv, .json): rows of image, seg_msk, label and
// optional lesion_msk / split. Paths resolve against the manifest's folder; every bad row is reported at once.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { writeFileAtomic } from './files.js';

export type Split = 'train' | 'val' | 'test';
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

export interface ManifestRow {
  /** Absolute paths. */
  image: string;
  segMsk: string;
  label: 0 | 1;
  lesionMsk?: string;
  split?: Split;
}

type Record_ = Record<string, unknown>;

export async function readManifest(path: string, options: { checkFiles?: boolean } = {}): Promise<ManifestRow[]> {
  let records: { where: string; rec: Record_ }[];
  try {
    records = await readRecords(path);
  } catch (e) {
    throw new Error(`${path}: cannot read manifest (${(e as Error).message})`);
  }
  if (records.length === 0) throw new Error(`${path}: manifest has no rows`);
  const base = dirname(resolve(path));
  const rows: ManifestRow[] = [];
  const problems: string[] = [];
  for (const { where, rec } of records) {
    const errs: string[] = [];
    const file = (key: string, required: boolean): string | undefined => {
      const v = text(rec[key]);
      if (v === '') {
        if (required) errs.push(`${key} is empty`);
        return undefined;
      }
      const abs = isAbsolute(v) ? v : resolve(base, v);
      if (options.checkFiles !== false && !existsSync(abs)) errs.push(`${key} file not found: ${abs}`);
      return abs;
    };
    const image = file('image', true);
    const segMsk = file('seg_msk', true);
    const lesionMsk = file('lesion_msk', false);
    const label = parseLabel(rec['label']);
    if (label === undefined) errs.push(`label ${JSON.stringify(text(rec['label']))} is not 0 or 1`);
    const splitText = text(rec['split']).toLowerCase();
    if (splitText !== '' && !SPLITS.includes(splitText as Split)) errs.push(`split "${splitText}" is not train, val or test`);
    if (errs.length > 0) {
      problems.push(`${where}: ${errs.join('; ')}`);
      continue;
    }
    rows.push({
      image: image!,
      segMsk: segMsk!,
      label: label!,
      ...(lesionMsk !== undefined ? { lesionMsk } : {}),
      ...(splitText !== '' ? { split: splitText as Split } : {}),
    });
  }
  if (problems.length > 0) throw new Error(`${path}: ${problems.length} bad row(s):\n  ${problems.join('\n  ')}`);
  return rows;
}

async function readRecords(path: string): Promise<{ where: string; rec: Record_ }[]> {
  const ext = extname(path).toLowerCase();
  let recs: Record_[];
  if (ext === '.csv') {
    recs = parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record_[];
  } else if (ext === '.json') {
    const j = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    const arr = Array.isArray(j) ? j : (j as { rows?: unknown })?.rows;
    if (!Array.isArray(arr)) throw new Error('expected a JSON array of rows or {"rows": [...]}');
    return arr.map((rec, i) => ({ where: `entry ${i}`, rec: normalizeKeys(rec as Record_) }));
  } else if (ext === '.xlsx') {
    recs = await readXlsx(path);
  } else {
    throw new Error(`unknown manifest type "${ext}" (use .xlsx, .csv or .json)`);
  }
  const keys = recs.length > 0 ? Object.keys(normalizeKeys(recs[0]!)) : [];
  const missing = ['image', 'seg_msk', 'label'].filter((k) => !keys.includes(k));
  if (recs.length > 0 && missing.length > 0) throw new Error(`missing column(s) ${missing.join(', ')}`);
  // Spreadsheet row numbers: the header is row 1.
  return recs.map((rec, i) => ({ where: `row ${i + 2}`, rec: normalizeKeys(rec) }));
}

async function readXlsx(path: string): Promise<Record_[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  const ws = wb.worksheets[0];
  if (!ws) throw new Error('workbook has no sheet');
  const header: string[] = [];
  ws.getRow(1).eachCell({ includeEmpty: true }, (cell, col) => (header[col] = text(cellValue(cell.value))));
  const out: Record_[] = [];
  for (let r = 2; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const rec: Record_ = {};
    header.forEach((h, col) => h && (rec[h] = cellValue(row.getCell(col).value)));
    out.push(rec);
  }
  return out;
}

// exceljs cells may hold rich text, hyperlinks or formulas; reduce them to their displayed value.
function cellValue(v: ExcelJS.CellValue): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Date) return v;
  if ('richText' in v) return v.richText.map((t) => t.text).join('');
  if ('text' in v) return v.text;
  if ('result' in v) return v.result;
  return String(v);
}

function normalizeKeys(rec: Record_): Record_ {
  const out: Record_ = {};
  for (const [k, v] of Object.entries(rec ?? {})) out[k.trim().toLowerCase()] = v;
  return out;
}

function text(v: unknown): string {
  return v === undefined || v === null ? '' : String(v).trim();
}

function parseLabel(v: unknown): 0 | 1 | undefined {
  const t = text(v).toLowerCase();
  if (t === '0' || t === 'healthy' || t === 'false') return 0;
  if (t === '1' || t === 'malignant' || t === 'true') return 1;
  return undefined;
}

/** Writes rows as CSV with paths relative to the manifest's folder (so the folder can move). */
export function writeManifestCsv(path: string, rows: readonly ManifestRow[]): void {
  const base = dirname(resolve(path));
  const rel = (p: string | undefined) => (p === undefined ? '' : relative(base, p).split(sep).join('/'));
  const lines = ['image,seg_msk,label,lesion_msk,split'];
  for (const r of rows) lines.push([rel(r.image), rel(r.segMsk), String(r.label), rel(r.lesionMsk), r.split ?? ''].map(csvField).join(','));
  writeFileAtomic(path, `${lines.join('\n')}\n`);
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
