// npm run bench:type-evidence -- --run DIR --manifest M [--split val] [--gate 0.4]
// Does the model read each lesion type? From a stored `segment` run (harmonised Δ; made with --type-share for the
// type readings), on the vertebrae above the gate, grouped by what their slice holds (lytic only, blastic only,
// both, neither): the median Δ of the true candidates of each type (Δ between the vertebra's reference pair), the
// quantiles of each type's share (the composite revealing all of its candidates, on the same scale), and how well
// vertebra-level scores tell the vertebrae holding a type from the rest (ROC-AUC). First, how well P(malignant)
// itself tells each group from the healthy vertebrae, and how it grows with the lesion area on the vertebrae
// holding one type. docs/model.md, tenth and eleventh sessions.
import { parseArgs } from 'node:util';
import { attributionScore } from '../src/method/attribution/attribute.js';
import { rocAuc } from '../src/method/classifier/metrics.js';
import { aucByGroup, listAucByGroup } from '../src/method/diagnostics/check-model.js';
import { LESION_GROUPS, lesionGroup } from '../src/method/evaluation/lesion-group.js';
import { LESION_TYPES as TYPES, lesionLabel, type LesionType as Type } from '../src/method/attribution/candidates.js';
import { fmt, type Group, medianOf, readRunCases, RUN_OPTIONS, type RunCase, type Stored } from './run-cases.js';

const { values: args } = parseArgs({
  options: {
    ...RUN_OPTIONS,
    gate: { type: 'string', default: '0.4' },
  },
});
const AREA_BINS = [0, 60, 120, 200, 300, 500];
const delta = (c: RunCase, k: Stored) => (k.pCandidate === null || !c.reference ? null : attributionScore(k.pCandidate, c.reference.high, c.reference.low));
const share = (c: RunCase, t: Type) => {
  const p = c.typeReadings?.[t];
  return p === undefined || p === null || !c.reference ? null : attributionScore(p, c.reference.high, c.reference.low);
};
const quantiles = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? 'n/a' : [0.1, 0.25, 0.5, 0.75, 0.9].map((q) => s[Math.round(q * (s.length - 1))]!.toFixed(2)).join(' / ');
};

async function main(): Promise<void> {
  const all = await readRunCases(args.run, args.manifest!, args.split!);
  // Each vertebra's group, read from its truth once.
  const groups = new Map(all.map((c) => [c, lesionGroup(c.truth.data)]));
  const group = (c: RunCase) => groups.get(c)!;
  // The classifier itself: P(malignant) of each malignant group against the healthy vertebrae, before the gate.
  const labelled = all.filter((c): c is RunCase & { label: 0 | 1 } => c.label !== undefined);
  const byGroup = aucByGroup(labelled.map((c) => ({ label: c.label, lesions: c.truth })), labelled.map((c) => c.pMalignant));
  const above = LESION_GROUPS.map((g) => `${g} ${labelled.filter((c) => c.label === 1 && group(c) === g && c.pMalignant > Number(args.gate)).length}`).join(', ');
  console.log(`P(malignant) against the ${labelled.filter((c) => c.label === 0).length} healthy vertebrae, ROC-AUC: ${byGroup ? `malignant holding ${listAucByGroup(byGroup)}` : 'n/a (no lesion masks)'}; above the gate: ${above}`);
  // How large a lesion of one type the classifier reads: P(malignant) of the one-type vertebrae by lesion area.
  for (const t of TYPES) {
    const members = labelled.filter((c) => c.label === 1 && group(c) === `${t} only`).map((c) => ({ p: c.pMalignant, area: c.truth.data.filter((v) => v === lesionLabel(t)).length }));
    const bins = AREA_BINS.map((lo, i) => {
      const p = members.filter((m) => m.area >= lo && m.area < (AREA_BINS[i + 1] ?? Infinity)).map((m) => m.p);
      return `${lo}${AREA_BINS[i + 1] === undefined ? '+' : `–${AREA_BINS[i + 1]! - 1}`} px: ${fmt(medianOf(p))} (${p.length})`;
    });
    console.log(`${t} only, median P(malignant) by ${t} area: ${bins.join(', ')}`);
  }
  const cases = all.filter((c) => c.pMalignant > Number(args.gate));
  if (!cases.some((c) => c.reference)) throw new Error(`${args.run}: no harmonised reference pair (run segment with --delta-reference harmonised)`);
  console.log(`${cases.length} vertebrae with P(malignant) > ${args.gate}`);
  console.log('group | vertebrae | median P(malignant) | median Δ of true lytic / blastic candidates (how many) | share of lytic, blastic: quantiles 10 / 25 / 50 / 75 / 90 %');
  for (const g of ['lytic only', 'blastic only', 'both', 'neither'] satisfies Group[]) {
    const members = cases.filter((c) => group(c) === g);
    const trueDeltas = (t: Type) => members.flatMap((c) => c.candidates.filter((k) => k.type === t && c.trueCandidates.has(k)).map((k) => delta(c, k)).filter((d): d is number => d !== null));
    const shares = (t: Type) => quantiles(members.map((c) => share(c, t)).filter((s): s is number => s !== null));
    const td = TYPES.map((t) => `${fmt(medianOf(trueDeltas(t)))} (${trueDeltas(t).length})`).join(' / ');
    console.log([g, members.length, fmt(medianOf(members.map((c) => c.pMalignant))), td, TYPES.map(shares).join('; ')].join(' | '));
  }
  for (const t of TYPES) {
    const y = cases.map((c) => (group(c) === 'both' || group(c) === `${t} only` ? 1 : 0));
    const of = (c: RunCase) => c.candidates.filter((k) => k.type === t);
    const scores: [string, (c: RunCase) => number][] = [
      ['share', (c) => share(c, t) ?? -1],
      ['largest Δ', (c) => Math.max(-1, ...of(c).map((k) => delta(c, k) ?? -1))],
      ['candidate pixels', (c) => of(c).reduce((a, k) => a + k.pixels, 0)],
      ['largest candidate', (c) => Math.max(0, ...of(c).map((k) => k.pixels))],
    ];
    const auc = (s: (c: RunCase) => number) => (y.includes(0) && y.includes(1) ? fmt(rocAuc(y, cases.map(s))) : 'n/a');
    console.log(`${t}: ${y.filter(Boolean).length} of ${cases.length} hold it; ROC-AUC of ${scores.map(([n, s]) => `${n} ${auc(s)}`).join(', ')}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
