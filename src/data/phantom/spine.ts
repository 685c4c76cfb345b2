// A synthetic whole-spine CT in the way users have one: axial HU volume (1.5 mm slices, 0.9 mm pixels,
// RAS-oriented world), a VerSe-style vertebra label map and vertebra-level labels — the input of `prepare`.
import { join } from 'node:path';
import { writeDicomSeries } from '../dicom-write.js';
import { withOutputDir, writeFileAtomic } from '../files.js';
import { axisAlignedGeometry, writeNifti, type Volume } from '../nifti.js';
import { schemeLevel } from '../vertebra-labels.js';
import { render } from './anatomy.js';
import { addTexture, scan } from './crop.js';
import { sampleScanner, sampleScene, type Scene } from './distributions.js';
import { Rng } from './random.js';

export interface SyntheticSpine {
  ct: Volume;
  labels: Volume;
  /** The true lesions on the CT's grid: 1 lytic, 2 blastic. */
  lesions: Volume;
  /** VerSe id → 0 healthy / 1 malignant. */
  table: Map<number, 0 | 1>;
  scene: Scene;
  /** world (RAS mm) → scene (a, s, l). */
  toScene: (x: number, y: number, z: number) => [number, number, number];
}

/** Five vertebrae T11–L3 (VerSe 18–22); the middle one (L1, VerSe 20) is malignant. */
export function syntheticSpine(seed: number): SyntheticSpine {
  const rng = new Rng(seed, 0x5b1e);
  const ids = [18, 19, 20, 21, 22];
  const scene = sampleScene(rng, 1, 'easy', ids, 2);
  const sp: [number, number, number] = [0.9, 0.9, 1.5];
  const span = scene.vertebrae[4]!.s0 - scene.vertebrae[0]!.s0 + 40;
  const dims: [number, number, number] = [80, 90, Math.ceil(span / sp[2])];
  const origin: [number, number, number] = [-36, -45, -span / 2];
  // Scene frame in RAS world: a (posterior) = −y, s (caudal) = −z, l = x.
  const toScene = (x: number, y: number, z: number): [number, number, number] => [-y, -z, x];
  const m = [0, -sp[1], 0, -origin[1], 0, 0, -sp[2], -origin[2], sp[0], 0, 0, origin[0]];
  const r = render(scene, { dims, m });
  addTexture(r.hu, r.texture, dims, 2, sp, rng);
  const hu = scan(r.hu, dims, sampleScanner(rng, 'easy'), sp, [0, 1], rng);
  const geometry = axisAlignedGeometry(sp, origin);
  const table = new Map(ids.map((id) => [id, scene.vertebrae.find((v) => v.id === id)!.lesions.length > 0 ? 1 : 0] as [number, 0 | 1]));
  return { ct: { dims, data: hu, geometry }, labels: { dims, data: Float32Array.from(r.vertebra), geometry }, lesions: { dims, data: Float32Array.from(r.lesion), geometry }, table, scene, toScene };
}

/**
 * Writes a synthetic spine as a user has one: outDir/ct/ (a DICOM CT series), vertebrae.nii.gz (VerSe ids),
 * labels.csv (vertebra, label) and, for comparison, the true lesions.nii.gz; the folder appears whole.
 */
export async function writeSyntheticSpine(outDir: string, seed: number): Promise<SyntheticSpine> {
  const spine = syntheticSpine(seed);
  await withOutputDir(outDir, (dir) => {
    writeDicomSeries(join(dir, 'ct'), spine.ct, { seed: `spine-${seed}`, seriesDescription: `synthetic spine, seed ${seed}` });
    writeNifti(join(dir, 'vertebrae.nii.gz'), spine.labels, 'uint8', { description: 'VerSe vertebra ids' });
    writeNifti(join(dir, 'lesions.nii.gz'), spine.lesions, 'uint8', { description: 'true lesions: 1 lytic, 2 blastic' });
    writeFileAtomic(join(dir, 'labels.csv'), `vertebra,label\n${[...spine.table].map(([id, l]) => `${schemeLevel('verse', id)},${l}`).join('\n')}\n`);
  });
  return spine;
}
