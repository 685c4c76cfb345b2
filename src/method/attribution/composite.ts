// SPEC §5 step 4, the "hide" part: every proposed change is applied except candidate k, so that only k is
// left showing its original (unhealthy) appearance.

/** base with the pixels of `all` that are not in `reveal` replaced by the healthy edit's pixels. */
export function composite(base: Float32Array, edit: Float32Array, all: Uint8Array, reveal: Int32Array): Float32Array {
  if (edit.length !== base.length || all.length !== base.length) throw new Error('composite: images and mask differ in size');
  const out = base.slice();
  const shown = new Uint8Array(base.length);
  for (const i of reveal) shown[i] = 1;
  for (let i = 0; i < out.length; i++) if (all[i] && !shown[i]) out[i] = edit[i]!;
  return out;
}

