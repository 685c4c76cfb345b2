// The healthy edit of SPEC §4: in the scaler's space, move z along the unit normal w/||w|| of the decision
// hyperplane until the logit equals log(p / (1 - p)) for the target p, then map back to z space.
import type { LatentClassifier } from './latent-classifier.js';

/** The reference's target probability of malignancy for the edited latent. */
export const HEALTHY_TARGET_P = 1e-5;

export function healthyEdit(z: ArrayLike<number>, classifier: LatentClassifier, targetP = HEALTHY_TARGET_P): Float64Array {
  if (!(targetP > 0 && targetP < 1)) throw new Error(`healthy edit: target probability must be in (0, 1), got ${targetP}`);
  const { coef } = classifier.model;
  const norm = Math.hypot(...coef);
  if (norm === 0) throw new Error('healthy edit: the classifier has no direction (all weights are zero)');
  const scaled = classifier.scaler.transform(z);
  const target = Math.log(targetP / (1 - targetP));
  // The logit is affine along the normal with slope ||w||, so one step lands on the target.
  const alpha = (target - classifier.model.decisionFunction(scaled)) / norm;
  for (let j = 0; j < scaled.length; j++) scaled[j]! += (alpha * coef[j]!) / norm;
  return classifier.scaler.inverseTransform(scaled);
}
