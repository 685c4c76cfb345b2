// A model folder's attribution.json: what it may hold, and that segment takes its settings as defaults while
// options given on the command line still win.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { saveDiffAE } from '../../src/model/checkpoint.js';
import { readModelSettings, withModelSettings } from '../../src/cli/commands/model-settings.js';
import { num } from '../../src/cli/options.js';
import { hsa } from '../helpers/cli.js';
import { tinyClassifier, tinyModel, writeVertebra } from '../method/attribution/fixtures.js';

let tmp: string;
const write = (name: string, body: unknown) => {
  const p = join(tmp, name);
  writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body));
  return p;
};
const settingsFile = (settings: unknown) => ({ format: 'hsa-attribution-settings', version: 1, settings });

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hsa-settings-'));
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(tmp, { recursive: true, force: true });
});

describe('readModelSettings', () => {
  it('reads the settable options', () => {
    const p = write('ok.json', settingsFile({ editTMax: 400, harmoniseTMax: 600, lyticQuantile: 0.3, lyticSplitQuantile: 0.6, centreMaps: true, minPMalignant: 0.5, deltaThreshold: 0.4, deltaReference: 'harmonised', typeShare: 0.2, minSize: 20, keepBest: true }));
    expect(readModelSettings(p)).toEqual({ editTMax: 400, harmoniseTMax: 600, lyticQuantile: 0.3, lyticSplitQuantile: 0.6, centreMaps: true, minPMalignant: 0.5, deltaThreshold: 0.4, deltaReference: 'harmonised', typeShare: 0.2, minSize: 20, keepBest: true });
  });

  it('names the file and the problem for anything else', () => {
    expect(() => readModelSettings(write('a.json', '{"format": '))).toThrow(/a\.json: not a valid settings file/);
    expect(() => readModelSettings(write('b.json', { format: 'other', settings: {} }))).toThrow(/b\.json: not an hsa-attribution-settings file/);
    expect(() => readModelSettings(write('c.json', settingsFile([1])))).toThrow(/c\.json: "settings" must be an object/);
    expect(() => readModelSettings(write('d.json', settingsFile({ inversionSteps: 3 })))).toThrow(/d\.json: unknown setting "inversionSteps"/);
    expect(() => readModelSettings(write('e.json', settingsFile({ centreMaps: 'yes' })))).toThrow(/e\.json: setting "centreMaps" must be a boolean/);
    expect(() => readModelSettings(write('e2.json', settingsFile({ keepBest: 1 })))).toThrow(/e2\.json: setting "keepBest" must be a boolean/);
    expect(() => readModelSettings(write('f.json', settingsFile({ targetP: null })))).toThrow(/f\.json: setting "targetP" must be a number/);
    expect(() => readModelSettings(write('g.json', settingsFile({ deltaReference: 1 })))).toThrow(/g\.json: setting "deltaReference" must be a string/);
    expect(() => readModelSettings(join(tmp, 'missing.json'))).toThrow(/missing\.json/);
  });
});

describe('withModelSettings', () => {
  const parse = (args: string[]) => {
    const c = new Command().exitOverride().option('--target-p <p>', '', num, 1e-5).option('--delta <x>', '', num, 0.5).option('--centre-maps').option('--no-centre-maps');
    c.parse(args, { from: 'user' });
    return c;
  };
  const found = { file: 'm/attribution.json', settings: { targetP: 0.01, deltaThreshold: 0.3, centreMaps: true } };

  it('replaces defaults and leaves what the command line gave', () => {
    const c = parse(['--delta', '0.7']);
    const r = withModelSettings(c.opts(), c, found);
    expect(r.options).toMatchObject({ targetP: 0.01, delta: 0.7, centreMaps: true });
    expect(r.note).toBe('settings from m/attribution.json: targetP 0.01, centreMaps true');
    const off = parse(['--no-centre-maps']);
    expect(withModelSettings(off.opts(), off, found).options.centreMaps).toBe(false);
  });

  it('changes nothing without a settings file', () => {
    const c = parse([]);
    expect(withModelSettings(c.opts(), c, undefined)).toEqual({ options: { targetP: 1e-5, delta: 0.5 } });
  });
});

describe('segment with a model folder holding attribution.json', () => {
  it('records the folder\'s settings as its options; explicit options override them', async () => {
    const dir = join(tmp, 'model');
    mkdirSync(dir);
    const model = tinyModel();
    saveDiffAE(model, join(dir, 'model.safetensors'));
    tinyClassifier(model).save(join(dir, 'classifier.json'));
    model.dispose();
    writeFileSync(join(dir, 'attribution.json'), JSON.stringify(settingsFile({ editTMax: 600, lyticQuantile: 0.3, centreMaps: true, minPMalignant: 0.25, keepBest: true })));
    const v = writeVertebra(tmp, 'v', 7);
    const steps = ['--inversion-steps', '3', '--render-steps', '2', '--harmonise-inversion-steps', '3', '--harmonise-render-steps', '2', '--min-size', '2'];
    const options = async (out: string, ...extra: string[]) => {
      await hsa('segment', '--image', v.image, '--mask', v.mask, '--model', dir, '--out', join(tmp, out), ...steps, ...extra);
      return JSON.parse(readFileSync(join(tmp, out, 'v', 'result.json'), 'utf8')).options;
    };
    expect(await options('a')).toMatchObject({ editTMax: 600, lyticQuantile: 0.3, candidateQuantile: 0.5, centreMaps: true, minPMalignant: 0.25, keepBest: true, targetP: 1e-5 });
    expect(await options('b', '--edit-t-max', '1000', '--no-centre-maps', '--min-p-malignant', '0', '--no-keep-best', '--lytic-quantile', '0.2', '--lytic-split-quantile', '0.7', '--type-share', '0.3')).toMatchObject({ editTMax: 1000, lyticQuantile: 0.2, lyticSplitQuantile: 0.7, typeShare: 0.3, centreMaps: false, minPMalignant: 0, keepBest: false });
    writeFileSync(join(dir, 'attribution.json'), JSON.stringify(settingsFile({ editTMax: 'high' })));
    await expect(options('c')).rejects.toThrow(/attribution\.json: setting "editTMax" must be a number/);
  });
});
