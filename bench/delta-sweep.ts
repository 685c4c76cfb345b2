// npm run bench:delta-sweep -- --run DIR --manifest M [--split val] [--delta 0.3,0.5,0.7] [--min-size 5,15,30] [--gate 0.5] [--keep-best 0,1] [--type-share 0.1,0.3] [--by-group]
// Chooses Hide-and-Seek's keep rule on a validation split without re-running the model (issue 13): a `segment` run
// made with --min-p-malignant 0 (every vertebra scored) records each candidate's Δ and pixels (result.json,
// maps.safetensors), so the segmentation for any gate on P(malignant), Δ threshold and smallest kept candidate can
// be rebuilt and scored against the truth. With deltaReference 'harmonised' the run also records the reference
// pair, and Δ is also reported in logits ("logit Δ") and between the latent p_m, p_h ("SPEC Δ"). Printed first: per lesion type, how well each
// candidate score separates true candidates (most pixels in a true lesion of its type) from false ones on the
// gated malignant vertebrae (ROC-AUC), the median Δ of each, and how much of the true lesions the candidates cover
// at all; then per setting, the benchmark's metrics, with each type's Dice split into its mean on the vertebrae
// holding the type and the vertebrae drawn with it that hold none (a 0 each in the mean). --keep-best 1: a vertebra above the
// gate that keeps no candidate (none of at least min-size pixels passes Δ) keeps its best-scoring one of that size.
// --by-group: each row also gives each type's Dice summed over the vertebrae holding lytic only, both types, blastic
// only and neither (with how many count). --type-share: Δ also with each share (or 'off') as
// AttributionOptions.typeShare (the run must have been made with --type-share, which records each type's reading).
// Last, the 'oracle' rule keeps exactly the true candidates (score 1, else 0; use a Δ threshold in [0, 1)): what the
// candidates allow any keep rule to reach.
import { parseArgs } from 'node:util';
import { attributionScore, keptCandidates, typeHigh } from '../src/method/attribution/attribute.js';
import { evaluate, type EvalCase, type EvaluationResults } from '../src/method/evaluation/evaluate.js';
import { rocAuc } from '../src/method/classifier/metrics.js';
import { lesionLabel } from '../src/method/attribution/candidates.js';
import { fmt as f, type Group, groupOf, medianOf, readRunCases, RUN_OPTIONS, type RunCase as Case, type Stored } from './run-cases.js';

const { values: args } = parseArgs({
  options: {
    ...RUN_OPTIONS,
    delta: { type: 'string', default: '0.3,0.5,0.7,0.9' },
    'min-size': { type: 'string', default: '5,15,30' },
    gate: { type: 'string', default: '0.5' },
    'keep-best': { type: 'string', default: '0' },
    'type-share': { type: 'string' },
    'by-group': { type: 'boolean', default: false },
  },
});


const num = (s: string) => s.split(',').map(Number);
const flags = (s: string) => s.split(',').map((v) => {
  if (v !== '0' && v !== '1') throw new Error(`--keep-best: 0 or 1, got ${v}`);
  return v === '1';
});
const logit = (p: number) => Math.log(Math.max(p, 1e-12) / Math.max(1 - p, 1e-12));

function logitDelta(c: Case, k: Stored): number | null {
  if (!c.reference || k.pCandidate === null) return null;
  return attributionScore(logit(k.pCandidate), logit(c.reference.high), logit(c.reference.low));
}

/** Δ as the run would have scored it with typeShare `share`, from the recorded readings. */
function typeShareDelta(c: Case, k: Stored, share: number | null): number | null {
  if (k.pCandidate === null) return null;
  if (!c.typeReadings) throw new Error(`--type-share: ${c.id} has no typeReadings (run segment with --type-share)`);
  const { high, low } = c.reference ?? { high: c.pMalignant, low: c.pHealthy };
  return attributionScore(k.pCandidate, typeHigh(c.typeReadings[k.type], high, low, share), low);
}

/** Per type: ROC-AUC of each candidate score, true against false candidates, on malignant vertebrae above the gate. */
function candidateAucs(cases: Case[], gate: number, rules: { name: string; score: (c: Case, k: Stored) => number | null }[]): void {
  const gated = cases.filter((c) => c.label === 1 && c.pMalignant > gate);
  for (const type of ['lytic', 'blastic'] as const) {
    const rows = gated.flatMap((c) => c.candidates.flatMap((k) => (k.type === type ? [{ truth: c.trueCandidates.has(k) ? 1 : 0, c, k }] : [])));
    const auc = (score: (c: Case, k: Stored) => number | null) => {
      const scored = rows.flatMap((r) => { const s = score(r.c, r.k); return s === null ? [] : [{ y: r.truth, s }]; });
      return scored.some((r) => r.y) && scored.some((r) => !r.y) ? rocAuc(scored.map((r) => r.y), scored.map((r) => r.s)) : null;
    };
    const scores = [...rules, { name: 'size', score: (_c: Case, k: Stored) => k.pixels }, { name: 'mean difference', score: (_c: Case, k: Stored) => k.meanDifference }];
    console.log(`${type} candidates on malignant vertebrae with P(malignant) > ${gate}: ${rows.length}, ${rows.filter((r) => r.truth).length} true; ROC-AUC ${scores.map((r) => `${r.name} ${f(auc(r.score))}`).join(', ')}`);
    const median = (truth: number) => f(medianOf(rows.filter((r) => r.truth === truth && r.k.delta !== null).map((r) => r.k.delta!)));
    console.log(`  median Δ: true ${median(1)}, false ${median(0)}; ${coverage(gated, type)}`);
  }
}

/** What any keep rule can reach for one type: how much of the true lesions the candidates cover at all. */
function coverage(cases: Case[], type: 'lytic' | 'blastic'): string {
  const cls = lesionLabel(type);
  let truthPixels = 0, covered = 0, vertebrae = 0, none = 0;
  for (const c of cases) {
    const inTruth = c.truth.data.reduce((n, v) => n + (v === cls ? 1 : 0), 0);
    if (inTruth === 0) continue;
    vertebrae++;
    truthPixels += inTruth;
    c.map.forEach((id, i) => id > 0 && c.candidates[id - 1]!.type === type && c.truth.data[i] === cls && covered++);
    if (!c.candidates.some((k) => k.type === type && c.trueCandidates.has(k))) none++;
  }
  return `the candidates cover ${f(covered / Math.max(truthPixels, 1))} of the ${truthPixels} true pixels; ${none} of ${vertebrae} vertebrae with this type have no true candidate`;
}

/** A type's Dice summed (and counted) over the vertebrae grouped by what their truth holds. */
function diceByGroup(r: EvaluationResults, type: 'lytic' | 'blastic'): string {
  const groups: Group[] = ['lytic only', 'both', 'blastic only', 'neither'];
  return `${type} Dice sums: ${groups.map((name) => {
    const d = r.perCase.filter((c) => groupOf(c.lytic.truth > 0, c.blastic.truth > 0) === name).flatMap((c) => (c[type].dice === null ? [] : [c[type].dice!]));
    return `${name} ${d.reduce((a, v) => a + v, 0).toFixed(2)} (${d.length})`;
  }).join(', ')}`;
}

/** Where a type's mean Dice comes from: its mean over the vertebrae holding the type, and the vertebrae drawn with it that hold none (a 0 each). */
function diceParts(r: EvaluationResults, type: 'lytic' | 'blastic'): string {
  const holding = r.perCase.filter((c) => c[type].truth > 0).map((c) => c[type].dice ?? 0);
  const drawnOnly = r.perCase.filter((c) => c[type].truth === 0 && c[type].pred > 0).length;
  return `${f(holding.reduce((a, b) => a + b, 0) / Math.max(holding.length, 1))} (${holding.length}) + ${drawnOnly} drawn without`;
}

async function main(): Promise<void> {
  const cases = await readRunCases(args.run, args.manifest!, args.split!);
  if (cases.some((c) => c.candidates.some((k) => k.delta === null) && c.pMalignant > 0)) console.error('delta-sweep: some candidates were not scored (run segment with --min-p-malignant 0 and without --keep-all)');
  const rules: { name: string; score: (c: Case, k: Stored) => number | null }[] = [
    { name: 'Δ', score: (_c, k) => k.delta },
    ...(cases.some((c) => c.reference) ? [{ name: 'logit Δ', score: logitDelta }, { name: 'SPEC Δ', score: (c: Case, k: Stored) => (k.pCandidate === null ? null : attributionScore(k.pCandidate, c.pMalignant, c.pHealthy)) }] : []),
    ...(args['type-share'] ? args['type-share'].split(',').map((v) => (v === 'off' ? null : Number(v))).map((share) => ({ name: `Δ, type share ${share ?? 'off'}`, score: (c: Case, k: Stored) => typeShareDelta(c, k, share) })) : []),
  ];
  candidateAucs(cases, Math.min(...num(args.gate!)), rules);
  // The bound of every keep rule on these candidates: keep exactly the true ones (read from the lesion masks).
  rules.push({ name: 'oracle', score: (c, k) => (c.trueCandidates.has(k) ? 1 : 0) });
  console.log('rule | gate | Δ > | min size | keep best | Dice lytic | Dice blastic | F1 lytic | F1 blastic | sensitivity | specificity | Dice lytic, blastic: on the vertebrae holding it (how many) + drawn on vertebrae without it');
  for (const rule of rules) for (const gate of num(args.gate!)) for (const threshold of num(args.delta!)) for (const minSize of num(args['min-size']!)) for (const keepBest of flags(args['keep-best']!)) {
    const evalCases: EvalCase[] = cases.map((c) => {
      const data = new Uint8Array(c.map.length);
      if (c.pMalignant > gate) {
        const kept = keptCandidates(c.candidates.map((k) => (k.pixels >= minSize ? rule.score(c, k) : null)), threshold, keepBest);
        c.map.forEach((id, i) => {
          if (id > 0 && kept[id - 1]) data[i] = lesionLabel(c.candidates[id - 1]!.type);
        });
      }
      return { id: c.id, pred: { ...c.truth, data }, truth: c.truth, ...(c.label !== undefined ? { label: c.label } : {}) };
    });
    const r = evaluate(evalCases);
    console.log([rule.name, gate, threshold, minSize, keepBest ? 1 : 0, f(r.lytic.diceMean), f(r.blastic.diceMean), f(r.lytic.lesions.f1), f(r.blastic.lesions.f1), f(r.vertebra.sensitivity), f(r.vertebra.specificity), `${diceParts(r, 'lytic')}; ${diceParts(r, 'blastic')}`].join(' | '));
    if (args['by-group']) console.log(`  ${diceByGroup(r, 'lytic')}; ${diceByGroup(r, 'blastic')}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
