// The job payload check: what a submitter makes passes unchanged; anything else is named field by field.
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/method/attribution/options.js';
import { parseSegmentJob, RejectedJob } from '../../src/method/queue/payload.js';

const HASH = 'ab'.repeat(32);
const good = {
  version: 1, outDir: '/shared/run', model: '/shared/model.safetensors', modelSha256: HASH, classifier: '/shared/classifier.json', classifierSha256: HASH,
  options: resolveOptions({ vertebraeBatch: 2, schedule: 'fast' }),
  items: [{ image: '/shared/c0.nii.gz', mask: '/shared/c0_seg.nii.gz', label: 1 }, { image: '/shared/c1.nii.gz', mask: '/shared/c1_seg.nii.gz' }],
};

describe('parseSegmentJob', () => {
  it('takes a well-formed payload as it is', () => {
    expect(parseSegmentJob(JSON.parse(JSON.stringify(good)))).toEqual(good);
  });

  const cases: [string, unknown, string][] = [
    ['null', null, 'not an object'],
    ['a list', [good], 'not an object'],
    ['another version', { ...good, version: 2 }, 'version must be 1 (this worker\'s), got 2'],
    ['no version', { ...good, version: undefined }, 'version must be 1 (this worker\'s), got none'],
    ['an unknown field', { ...good, shell: 'true' }, 'the job has unknown field(s) shell'],
    ['a relative outDir', { ...good, outDir: 'run' }, 'outDir must be an absolute path'],
    ['a NUL in a path', { ...good, model: '/shared/m\0.safetensors' }, 'model must be an absolute path'],
    ['a short hash', { ...good, modelSha256: 'abc' }, 'modelSha256 must be 64 lowercase hex digits'],
    ['options missing a field', { ...good, options: Object.fromEntries(Object.entries(good.options).filter(([k]) => k !== 'keepAll')) }, 'options must have exactly the fields '],
    ['options with a string', { ...good, options: { ...good.options, harmonise: 'yes' } }, 'options.harmonise and options.keepAll must be true or false'],
    ['an unknown schedule', { ...good, options: { ...good.options, schedule: 'turbo' } }, 'options.schedule must be one of fast, preview, reference'],
    ['NaN steps', { ...good, options: { ...good.options, renderSteps: Number.NaN } }, 'options.renderSteps must be a finite number'],
    ['fractional steps', { ...good, options: { ...good.options, renderSteps: 2.5 } }, 'attribution: renderSteps must be a positive integer, got 2.5'],
    ['no items', { ...good, items: [] }, 'items must be a non-empty list'],
    ['more items than a group', { ...good, items: [...good.items, good.items[0]] }, 'items holds 3 vertebrae, more than options.vertebraeBatch (2)'],
    ['an item without a mask', { ...good, items: [{ image: '/a.nii.gz' }] }, 'items[0].mask must be an absolute path'],
    ['an item label of 2', { ...good, items: [{ ...good.items[0], label: 2 }] }, 'items[0].label must be 0 or 1'],
    ['an item with an extra field', { ...good, items: [good.items[0], { ...good.items[1], out: '/etc' }] }, 'items[1] has unknown field(s) out'],
  ];
  it.each(cases)('rejects %s', (_, payload, message) => {
    let error: unknown;
    try {
      parseSegmentJob(payload);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RejectedJob);
    expect((error as Error).message).toContain(`malformed job payload: ${message}`);
  });
});
