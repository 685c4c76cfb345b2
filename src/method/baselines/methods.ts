// The baselines of issue 6 behind one interface: each turns a group of vertebrae (SPEC §2 slice + body mask)
// into lesion label maps (0 background, 1 lytic, 2 blastic), a map to show and facts for result.json.
import * as torch from '../../tensor/index.js';
import type { VertebraSlice } from '../attribution/attribute.js';
import type { LatentDiffusion } from '../attribution/engine.js';
import { CAM_METHODS, type CamMethod, computeCams } from '../cnn/cam.js';
import type { CnnFile } from '../cnn/resnet.js';
import { type AnomalyOptions, anomalyBaseline } from './anomaly.js';
import { CAM_THRESHOLD, camLabels, MALIGNANT_P } from './cam-labels.js';
import { otsuBaseline } from './otsu.js';

export const BASELINES = ['otsu', ...CAM_METHODS, 'ad'] as const;
export type BaselineName = (typeof BASELINES)[number];

/** Display names (table rows, figure columns). */
export const BASELINE_LABELS: Record<BaselineName, string> = {
  otsu: 'Otsu', gradcam: 'GradCAM', 'gradcam++': 'GradCAM++', layercam: 'LayerCAM', eigencam: 'EigenCAM', ad: 'AD',
};

export interface BaselineCase {
  labels: Uint8Array;
  /** A map on the slice's grid for the figure (CAM, |difference|), with its title. */
  map?: { title: string; data: Float32Array };
  /** Method-specific results for result.json. */
  details: Record<string, unknown>;
}

export interface Baseline {
  name: BaselineName;
  /** Vertebrae per call of run (bounds memory of the model methods). */
  batchSize: number;
  /** Settings recorded in run.json. */
  settings: Record<string, unknown>;
  run(vertebrae: readonly VertebraSlice[]): BaselineCase[];
}

export function otsuMethod(minSize: number): Baseline {
  return {
    name: 'otsu',
    batchSize: 1,
    settings: { minSize },
    run: (vs) =>
      vs.map((v) => {
        const r = otsuBaseline({ ...v.mask, data: v.image }, v.mask, minSize);
        return { labels: r.labels.data, details: { blasticThreshold: r.blasticThreshold, lyticThreshold: r.lyticThreshold } };
      }),
  };
}

/** slices → (N, 1, rows, cols) on device. */
function batchTensor(vs: readonly VertebraSlice[], device: torch.Device): torch.Tensor {
  const { rows, cols } = vs[0]!.mask;
  const flat = new Float32Array(vs.length * rows * cols);
  vs.forEach((v, i) => flat.set(v.image, i * rows * cols));
  return torch.tensor(flat, [vs.length, 1, rows, cols], 'float32', device);
}

export function camMethod(method: CamMethod, cnn: CnnFile, minSize: number, batchSize: number): Baseline {
  return {
    name: method,
    batchSize,
    settings: { minSize, camThreshold: CAM_THRESHOLD, malignantP: MALIGNANT_P, healthyMedian: cnn.healthyMedian, cnn: cnn.metadata },
    run: (vs) => {
      const { maps, pMalignant } = torch.tidy(() => computeCams(cnn.model, batchTensor(vs, cnn.model.device), method));
      return vs.map((v, i) => {
        const r = camLabels(maps[i]!, v, pMalignant[i]!, cnn.healthyMedian, minSize);
        return { labels: r.labels, map: { title: `${method} (P ${pMalignant[i]!.toFixed(3)})`, data: maps[i]! }, details: { pMalignant: pMalignant[i], regions: r.regions } };
      });
    },
  };
}

export function anomalyMethod(engine: LatentDiffusion, o: AnomalyOptions, batchSize: number, model: string): Baseline {
  return {
    name: 'ad',
    batchSize,
    settings: { ...o, model },
    run: (vs) =>
      anomalyBaseline(engine, vs, o).map((r) => ({
        labels: r.labels,
        map: { title: 'abs(recon - input)', data: Float32Array.from(r.lyticMap, (l, i) => l + r.blasticMap[i]!) },
        details: { candidates: r.candidates.map(({ type, pixels, centroid, meanDifference }) => ({ type, pixels, centroid, meanDifference })) },
      })),
  };
}
