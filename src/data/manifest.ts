// Dataset manifests (.xlsx as the reference ships them, .csv, .json): rows of image, seg_msk, label and
// optional lesion_msk / split. Paths resolve against the manifest's folder; every bad row is reported at once.
import { existsSync } from 'node:fs';
import { dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { readInputFile, writeFileAtomic } from './files.js';

// A manifest lists files: 256 MiB is millions of rows.
const MAX_MANIFEST_BYTES = 256 << 20;

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

/** A row whose vertebra label may be unknown: crops prepared for inference only. */
export type UnlabelledRow = Omit<ManifestRow, 'label'> & { label?: 0 | 1 };

type Record_ = Record<string, unknown>;

interface ReadOptions {
  checkFiles?: boolean | 'inputs';
  /** 'optional': an empty label is allowed (inference); by default every row needs 0 or 1. */
  labels?: 'required' | 'optional';
}

/**
 * checkFiles: true (default) checks every path, 'inputs' only image and seg_msk (for commands that must not
 * depend on ground-truth lesion masks), false none. A missing file is reported with its manifest row.
 */
export async function readManifest(path: string, options: ReadOptions & { labels: 'optional' }): Promise<UnlabelledRow[]>;
export async function readManifest(path: string, options?: ReadOptions): Promise<ManifestRow[]>;
export async function readManifest(path: string, options: ReadOptions = {}): Promise<UnlabelledRow[]> {
  const check = options.checkFiles ?? true;
  let records: { where: string; rec: Record_ }[];
  try {
    records = await readRecords(path);
  } catch (e) {
    throw new Error(`${path}: cannot read manifest (${(e as Error).message})`);
  }
  if (records.length === 0) throw new Error(`${path}: manifest has no rows`);
  const base = dirname(resolve(path));
  const rows: UnlabelledRow[] = [];
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
      if ((check === true || (check === 'inputs' && key !== 'lesion_msk')) && !existsSync(abs)) errs.push(`${key} file not found: ${abs}`);
      return abs;
    };
    const image = file('image', true);
    const segMsk = file('seg_msk', true);
    const lesionMsk = file('lesion_msk', false);
    const label = parseLabel(rec['label']);
    const unknownAllowed = options.labels === 'optional' && text(rec['label']) === '';
    if (label === undefined && !unknownAllowed) errs.push(`label ${JSON.stringify(text(rec['label']))} is not 0 or 1`);
    const splitText = text(rec['split']).toLowerCase();
    if (splitText !== '' && !SPLITS.includes(splitText as Split)) errs.push(`split "${splitText}" is not train, val or test`);
    if (errs.length > 0) {
      problems.push(`${where}: ${errs.join('; ')}`);
      continue;
    }
    rows.push({
      image: image!,
      segMsk: segMsk!,
      ...(label !== undefined ? { label } : {}),
      ...(lesionMsk !== undefined ? { lesionMsk } : {}),
      ...(splitText !== '' ? { split: splitText as Split } : {}),
    });
  }
  if (problems.length > 0) throw new Error(`${path}: ${problems.length} bad row(s):\n  ${problems.join('\n  ')}`);
  return rows;
}

async function readRecords(path: string): Promise<{ where: string; rec: Record_ }[]> {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return readCsv(path);
  if (ext === '.json') {
    const j = JSON.parse(readUtf8(path)) as unknown;
    const arr = Array.isArray(j) ? j : (j as { rows?: unknown })?.rows;
    if (!Array.isArray(arr)) throw new Error('expected a JSON array of rows or {"rows": [...]}');
    return arr.map((rec, i) => ({ where: `entry ${i}`, rec: normalizeKeys(rec as Record_) }));
  }
  if (ext !== '.xlsx') throw new Error(`unknown manifest type "${ext}" (use .xlsx, .csv or .json)`);
  const { header, recs } = await readXlsx(path);
  checkColumns(header);
  // Spreadsheet row numbers: the header is row 1.
  return recs.map((rec, i) => ({ where: `row ${i + 2}`, rec }));
}

/** Records named by the file line they start on (empty lines and quoted line breaks make records ≠ lines). */
function readCsv(path: string): { where: string; rec: Record_ }[] {
  const text = readUtf8(path);
  const recs = parse(text, {
    columns: (header: string[]) => checkColumns(header.map(columnName)),
    skip_empty_lines: true, trim: true, bom: true,
  }) as Record_[];
  const lines = recordLines(text).slice(1);
  return recs.map((rec, i) => ({ where: lines[i] === undefined ? `record ${i + 1}` : `line ${lines[i]}`, rec }));
}

/** The line each non-blank CSV record starts on, header included; a line break inside quotes stays in its record. */
function recordLines(text: string): number[] {
  const starts: number[] = [];
  let line = 1, start = 1, quoted = false, blank = true;
  for (const c of text) {
    if (c === '\n') {
      line++;
      if (quoted) continue;
      if (!blank) starts.push(start);
      start = line;
      blank = true;
    } else {
      // A doubled quote inside a quoted field toggles twice: still quoted.
      if (c === '"') quoted = !quoted;
      if (c.trim() !== '') blank = false;
    }
  }
  if (!blank) starts.push(start);
  return starts;
}

/** The file as UTF-8 text; UTF-16 (a spreadsheet's "Unicode text") is named instead of failing later as garbage. */
function readUtf8(path: string): string {
  const bytes = readInputFile(path, MAX_MANIFEST_BYTES);
  const bom16 = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  if (bom16 || bytes.includes(0)) throw new Error('the file is UTF-16 (or binary), not UTF-8 text; save it as "CSV UTF-8"');
  return bytes.toString('utf8');
}

const columnName = (h: string) => h.trim().toLowerCase();

/** The header, after refusing duplicated and missing columns (a repeated "label" would silently use one of them). */
function checkColumns(header: string[]): string[] {
  const named = header.filter((h) => h !== '');
  const repeated = named.filter((h, i) => named.indexOf(h) !== i);
  if (repeated.length > 0) throw new Error(`duplicated column(s) ${[...new Set(repeated)].join(', ')}`);
  const missing = ['image', 'seg_msk', 'label'].filter((k) => !header.includes(k));
  if (missing.length > 0) throw new Error(`missing column(s) ${missing.join(', ')}`);
  return header;
}

async function readXlsx(path: string): Promise<{ header: string[]; recs: Record_[] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readInputFile(path, MAX_MANIFEST_BYTES) as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  if (!ws) throw new Error('workbook has no sheet');
  const header: string[] = [];
  ws.getRow(1).eachCell({ includeEmpty: true }, (cell, col) => (header[col] = columnName(text(cellValue(cell.value)))));
  const recs: Record_[] = [];
  for (let r = 2; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const rec: Record_ = {};
    header.forEach((h, col) => h && (rec[h] = cellValue(row.getCell(col).value)));
    recs.push(rec);
  }
  return { header: header.filter((h) => h !== undefined), recs };
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
export function writeManifestCsv(path: string, rows: readonly UnlabelledRow[]): void {
  const base = dirname(resolve(path));
  const rel = (p: string | undefined) => (p === undefined ? '' : relative(base, p).split(sep).join('/'));
  const records = rows.map((r) => [rel(r.image), rel(r.segMsk), r.label ?? '', rel(r.lesionMsk), r.split ?? '']);
  writeFileAtomic(path, stringify([['image', 'seg_msk', 'label', 'lesion_msk', 'split'], ...records]));
}
