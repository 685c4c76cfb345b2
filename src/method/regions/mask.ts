// 2-D integer maps (binary masks and 0/1/2 lesion label maps), row-major like Image2D: data[r * cols + c].
export interface Mask2D {
  rows: number;
  cols: number;
  data: Uint8Array;
}

/** Lesion classes of the label maps: 0 background, 1 lytic, 2 blastic. */
export const LYTIC = 1;
export const BLASTIC = 2;
