// A model folder's recommended method settings (attribution.json beside model.safetensors): the values of
// Hide-and-Seek's options that were chosen on the model's validation split. segment, demo and benchmark use them
// in place of the SPEC defaults; an option given on the command line still wins.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { readInputText } from '../../data/files.js';
import type { AttributionOptions } from '../../method/attribution/options.js';

export const SETTINGS_FILE = 'attribution.json';
const FORMAT = 'hsa-attribution-settings';

/** The options a model folder may set, and the command-line option (attribute name) of each. */
const SETTABLE = {
  targetP: 'targetP',
  minSize: 'minSize',
  candidateQuantile: 'candidateQuantile',
  lyticQuantile: 'lyticQuantile',
  lyticSplitQuantile: 'lyticSplitQuantile',
  editTMax: 'editTMax',
  harmoniseTMax: 'harmoniseTMax',
  centreMaps: 'centreMaps',
  deltaThreshold: 'delta',
  deltaReference: 'deltaReference',
  typeShare: 'typeShare',
  minPMalignant: 'minPMalignant',
  keepBest: 'keepBest',
} as const satisfies Partial<Record<keyof AttributionOptions, string>>;
type Settable = keyof typeof SETTABLE;
export type ModelSettings = Partial<Pick<AttributionOptions, Settable>>;

/** Reads and checks a settings file: known keys with values of the right type (their ranges are checked when the options are resolved). */
export function readModelSettings(path: string): ModelSettings {
  let json: unknown;
  try {
    json = JSON.parse(readInputText(path, 1 << 16));
  } catch (e) {
    throw new Error(`${path}: not a valid settings file (${(e as Error).message})`);
  }
  const doc = json as { format?: unknown; settings?: unknown };
  if (typeof json !== 'object' || json === null || doc.format !== FORMAT) throw new Error(`${path}: not an ${FORMAT} file`);
  if (typeof doc.settings !== 'object' || doc.settings === null || Array.isArray(doc.settings)) throw new Error(`${path}: "settings" must be an object`);
  const out: Record<string, number | boolean | string> = {};
  for (const [k, v] of Object.entries(doc.settings)) {
    if (!(k in SETTABLE)) throw new Error(`${path}: unknown setting "${k}" (known: ${Object.keys(SETTABLE).join(', ')})`);
    const want = k === 'centreMaps' || k === 'keepBest' ? 'boolean' : k === 'deltaReference' ? 'string' : 'number';
    if (typeof v !== want || (want === 'number' && !Number.isFinite(v))) throw new Error(`${path}: setting "${k}" must be a ${want}, got ${JSON.stringify(v)}`);
    out[k] = v as number | boolean | string;
  }
  return out as ModelSettings;
}

/** The settings file of a model folder, when it has one. */
export function modelSettingsIn(dir: string): { file: string; settings: ModelSettings } | undefined {
  const file = join(dir, SETTINGS_FILE);
  return existsSync(file) ? { file, settings: readModelSettings(file) } : undefined;
}

/**
 * The parsed options with the model's settings in place of every settable option not given on the command line
 * (commander reports where each value came from), and a one-line account of what the model set.
 */
export function withModelSettings(o: Record<string, any>, command: Command, found: { file: string; settings: ModelSettings } | undefined): { options: Record<string, any>; note?: string } {
  if (!found) return { options: o };
  const options = { ...o };
  const used: string[] = [];
  for (const [key, attr] of Object.entries(SETTABLE) as [Settable, string][]) {
    const source = command.getOptionValueSource(attr);
    if (found.settings[key] === undefined || (source !== undefined && source !== 'default')) continue;
    options[attr] = found.settings[key];
    used.push(`${key} ${found.settings[key]}`);
  }
  return { options, ...(used.length ? { note: `settings from ${found.file}: ${used.join(', ')}` } : {}) };
}
