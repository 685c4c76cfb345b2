// torch.nn.functional-style wrappers whose PyTorch signatures take strings or alternatives that the
// op table expresses as separate ops.
import { gridSampler, upsampleBilinear2d, upsampleNearest2d } from './ops.generated.js';
import type { Tensor } from './tensor.js';

export interface InterpolateOptions {
  size?: readonly [number, number];
  scaleFactor?: number;
  mode?: 'nearest' | 'bilinear';
  alignCorners?: boolean;
}

/** F.interpolate for 4-D input (N, C, H, W). With scaleFactor the output size is floor(in * scale), as in PyTorch. */
export function interpolate(input: Tensor, options: InterpolateOptions): Tensor {
  const [, , h, w] = input.shape as [number, number, number, number];
  let size = options.size;
  if (!size) {
    if (options.scaleFactor === undefined) throw new Error('interpolate: give size or scaleFactor');
    size = [Math.floor(h * options.scaleFactor), Math.floor(w * options.scaleFactor)];
  }
  const mode = options.mode ?? 'nearest';
  if (mode === 'nearest') return upsampleNearest2d(input, size);
  return upsampleBilinear2d(input, size, options.alignCorners ?? false);
}

const interpolationModes = { bilinear: 0, nearest: 1, bicubic: 2 } as const;
const paddingModes = { zeros: 0, border: 1, reflection: 2 } as const;

/** F.grid_sample (input N,C,H,W; grid N,H,W,2 in [-1, 1]). */
export function gridSample(
  input: Tensor,
  grid: Tensor,
  options: { mode?: keyof typeof interpolationModes; paddingMode?: keyof typeof paddingModes; alignCorners?: boolean } = {},
): Tensor {
  const mode = interpolationModes[options.mode ?? 'bilinear'];
  const pad = paddingModes[options.paddingMode ?? 'zeros'];
  if (mode === undefined || pad === undefined) throw new Error('gridSample: unknown mode or paddingMode');
  return gridSampler(input, grid, mode, pad, options.alignCorners ?? false);
}
