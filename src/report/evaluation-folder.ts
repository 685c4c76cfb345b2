// Reads evaluation.json from a folder written by `hsa evaluate --out`, for the report's metrics table and
// per-vertebra errors.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseResult, EvaluationResults } from '../method/evaluation/evaluate.js';
import { readInputText } from '../data/files.js';

export const EVALUATION_FILE = 'evaluation.json';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readEvaluationFolder(path: string): EvaluationResults {
  if (!existsSync(path)) throw new Error(`${path}: evaluation folder not found`);
  if (!statSync(path).isDirectory()) throw new Error(`${path}: not a folder`);
  const file = join(path, EVALUATION_FILE);
  if (!existsSync(file)) throw new Error(`${path}: not an evaluation folder (no ${EVALUATION_FILE}; write one with \`hsa evaluate --out\`)`);
  let json: unknown;
  try {
    json = JSON.parse(readInputText(file));
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`);
  }
  const ok = isObject(json) && Array.isArray(json.perCase) && isObject(json.lytic) && isObject(json.blastic) && isObject(json.vertebra) && Array.isArray(json.rules);
  if (!ok) throw new Error(`${file}: not an evaluation (needs lytic, blastic, vertebra, rules and perCase)`);
  return json as unknown as EvaluationResults;
}

/** Lesion pixels labelled wrongly (false positives + false negatives over both classes): the report's error. */
export function errorPixels(c: CaseResult): number {
  return c.lytic.pred + c.lytic.truth - 2 * c.lytic.both + c.blastic.pred + c.blastic.truth - 2 * c.blastic.both;
}
