// Figures of the baselines: one per vertebra (input, the method's map, the label map's contours) and the
// benchmark's comparison grid like the paper's (rows = vertebrae; columns = image, ground truth, each method).
import type { VertebraSlice } from '../attribution/attribute.js';
import { BLASTIC_COLOUR, figureLayout, LYTIC_COLOUR, viridis } from '../figures/attribution-figure.js';
import { Canvas, type RGB } from '../figures/canvas.js';
import { GLYPH_HEIGHT, textWidth } from '../figures/font.js';
import { BLASTIC, LYTIC } from '../regions/mask.js';

const WHITE: RGB = [255, 255, 255];
const BACKGROUND: RGB = [24, 24, 24];
const MASK_COLOUR: RGB = [230, 200, 40];
const TEXT = 2;
const LINE = (GLYPH_HEIGHT + 3) * TEXT;
const GAP = 12;

const grey = (v: number): RGB => {
  const g = Math.round(255 * Math.min(1, Math.max(0, v)));
  return [g, g, g];
};

/** The slice in grey at (x, y) with lytic (red) and blastic (blue) contours of labels. */
function drawLabelled(cv: Canvas, x: number, y: number, slice: VertebraSlice, labels: Uint8Array, scale: number): void {
  const { rows, cols } = slice.mask;
  const thick = Math.max(1, Math.floor(scale / 3));
  cv.image(x, y, rows, cols, scale, (i) => grey(slice.image[i]!));
  cv.contour(x, y, rows, cols, scale, (i) => labels[i] === LYTIC, LYTIC_COLOUR, thick);
  cv.contour(x, y, rows, cols, scale, (i) => labels[i] === BLASTIC, BLASTIC_COLOUR, thick);
}

export interface BaselineFigureInput {
  title: string;
  slice: VertebraSlice;
  labels: Uint8Array;
  map?: { title: string; data: Float32Array };
}

/** Input with its body mask, the method's map (viridis, scaled to its maximum), the segmentation. */
export function renderBaselineFigure(f: BaselineFigureInput): Buffer {
  const { rows, cols } = f.slice.mask;
  const { scale, cell, panel } = figureLayout(rows, cols);
  const panels = f.map ? 3 : 2;
  const width = Math.max(panels * cell.w + GAP, textWidth(f.title, TEXT) + 2 * GAP);
  const cv = new Canvas(width, GAP + LINE + cell.h, BACKGROUND);
  cv.text(GAP, GAP, f.title, WHITE, TEXT);
  const at = (col: number, title: string) => {
    const { x, y } = panel(col, 0);
    cv.text(x, y, title.toUpperCase(), WHITE, TEXT);
    return { x, y: y + LINE };
  };
  const input = at(0, 'input (body mask)');
  cv.image(input.x, input.y, rows, cols, scale, (i) => grey(f.slice.image[i]!));
  cv.contour(input.x, input.y, rows, cols, scale, (i) => f.slice.mask.data[i] !== 0, MASK_COLOUR);
  if (f.map) {
    const m = at(1, f.map.title);
    const max = f.map.data.reduce((a, v) => Math.max(a, v), 0);
    cv.image(m.x, m.y, rows, cols, scale, (i) => viridis(max > 0 ? f.map!.data[i]! / max : 0));
  }
  const seg = at(panels - 1, 'lytic red / blastic blue');
  drawLabelled(cv, seg.x, seg.y, f.slice, f.labels, scale);
  return cv.toPng();
}

export interface ComparisonRow {
  title: string;
  slice: VertebraSlice;
  truth: Uint8Array;
  /** One label map per method, in the order of the method names. */
  predictions: Uint8Array[];
}

/** The comparison grid: rows = vertebrae; columns = image, ground truth, then each method's segmentation. */
export function renderComparisonFigure(methods: readonly string[], rows: readonly ComparisonRow[]): Buffer {
  if (rows.length === 0) throw new Error('comparison figure: no vertebrae');
  const { rows: r, cols: c } = rows[0]!.slice.mask;
  const scale = Math.max(1, Math.floor(128 / Math.max(r, c)));
  const headers = ['image', 'ground truth', ...methods].map((h) => h.toUpperCase());
  const cellW = Math.max(c * scale, ...headers.map((h) => textWidth(h, TEXT))) + GAP;
  const cellH = r * scale + LINE + GAP;
  const header = LINE + GAP / 2;
  const cv = new Canvas(GAP + headers.length * cellW, GAP + header + rows.length * cellH, BACKGROUND);
  headers.forEach((h, k) => cv.text(GAP + k * cellW, GAP, h, WHITE, TEXT));
  const none = new Uint8Array(r * c);
  rows.forEach((row, j) => {
    const y = GAP + header + j * cellH;
    cv.text(GAP, y, row.title.toUpperCase(), WHITE, TEXT);
    [none, row.truth, ...row.predictions].forEach((labels, k) => drawLabelled(cv, GAP + k * cellW, y + LINE, row.slice, labels, scale));
  });
  return cv.toPng();
}
