// The parts of a vertebra's result.json (written by src/method/attribution/outputs.ts) that the report and
// the viewer show, checked on read so that a foreign or damaged file fails with its name.
export type CandidateType = 'lytic' | 'blastic';

export interface CandidateResult {
  id: number;
  type: CandidateType;
  pixels: number;
  areaMm2: number;
  /** null when the run kept every candidate without scoring (keepAll ablation). */
  delta: number | null;
  kept: boolean;
}

export interface CaseResult {
  caseId: string;
  label?: 0 | 1;
  pMalignant: number;
  pHealthy: number;
  deltaThreshold: number;
  lesions: { lytic: { pixels: number; areaMm2: number }; blastic: { pixels: number; areaMm2: number } };
  candidates: CandidateResult[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function field<T>(o: Json, key: string, ok: (v: unknown) => v is T, what: string, where: string): T {
  const v = o[key];
  if (!ok(v)) throw new Error(`${where}: ${key} must be ${what}, got ${JSON.stringify(v)}`);
  return v;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isType = (v: unknown): v is CandidateType => v === 'lytic' || v === 'blastic';
const isDelta = (v: unknown): v is number | null => v === null || isNumber(v);

function area(o: Json, key: string, where: string): { pixels: number; areaMm2: number } {
  const a = field(o, key, isObject, 'an object', where);
  return { pixels: field(a, 'pixels', isNumber, 'a number', `${where} lesions.${key}`), areaMm2: field(a, 'areaMm2', isNumber, 'a number', `${where} lesions.${key}`) };
}

/** Validates result.json's content; path names the file in errors. */
export function parseCaseResult(json: unknown, path: string): CaseResult {
  const where = `${path}: not a segment result.json`;
  if (!isObject(json)) throw new Error(`${where}: not an object`);
  const options = field(json, 'options', isObject, 'an object', where);
  const lesions = field(json, 'lesions', isObject, 'an object', where);
  const candidates = field(json, 'candidates', Array.isArray, 'an array', where).map((c: unknown, k: number) => {
    const at = `${where} candidates[${k}]`;
    if (!isObject(c)) throw new Error(`${at}: not an object`);
    const id = field(c, 'id', isNumber, 'a number', at);
    // The candidate map stores k+1 at candidate k's pixels; the viewer relies on that numbering.
    if (id !== k + 1) throw new Error(`${at}: id must be ${k + 1}, got ${id}`);
    return {
      id,
      type: field(c, 'type', isType, '"lytic" or "blastic"', at),
      pixels: field(c, 'pixels', isNumber, 'a number', at),
      areaMm2: field(c, 'areaMm2', isNumber, 'a number', at),
      delta: field(c, 'delta', isDelta, 'a number or null', at),
      kept: field(c, 'kept', isBool, 'true or false', at),
    };
  });
  const label = json.label;
  if (label !== undefined && label !== 0 && label !== 1) throw new Error(`${where}: label must be 0 or 1, got ${JSON.stringify(label)}`);
  return {
    caseId: field(json, 'caseId', isString, 'a string', where),
    ...(label !== undefined ? { label } : {}),
    pMalignant: field(json, 'pMalignant', isNumber, 'a number', where),
    pHealthy: field(json, 'pHealthy', isNumber, 'a number', where),
    deltaThreshold: field(options, 'deltaThreshold', isNumber, 'a number', `${where} options`),
    lesions: { lytic: area(lesions, 'lytic', where), blastic: area(lesions, 'blastic', where) },
    candidates,
  };
}
