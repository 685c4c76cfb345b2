// The per-vertebra figure of `hsa segment`: input, reconstruction, healthy edit, |difference|, candidates
// coloured by Δ (numbered at their centroids, outlined red lytic / blue blastic), and the final lytic (red) / blastic (blue) contours, with a
// text legend listing every candidate.
import type { VertebraAttribution, VertebraSlice } from '../attribution/attribute.js';
import { BLASTIC, LYTIC } from '../regions/mask.js';
import { Canvas, type RGB } from './canvas.js';
import { GLYPH_HEIGHT, textWidth } from './font.js';

const WHITE: RGB = [255, 255, 255];
const BLACK: RGB = [0, 0, 0];
const BACKGROUND: RGB = [24, 24, 24];
const MUTED: RGB = [170, 170, 170];
export const LYTIC_COLOUR: RGB = [235, 50, 40];
export const BLASTIC_COLOUR: RGB = [40, 120, 255];
const MASK_COLOUR: RGB = [230, 200, 40];

// Viridis at five stops: perceptually ordered and readable for colour-blind viewers.
const VIRIDIS: RGB[] = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

/** Viridis colour of t, clamped to [0, 1]. */
export function viridis(t: number): RGB {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [VIRIDIS[i]!, VIRIDIS[i + 1]!];
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as unknown as RGB;
}

const grey = (v: number, gain = 1): RGB => {
  const g = Math.round(255 * gain * Math.min(1, Math.max(0, v)));
  return [g, g, g];
};

const TEXT = 2;
const LINE = (GLYPH_HEIGHT + 3) * TEXT;
const GAP = 12;

export interface FigureInput {
  title: string;
  slice: VertebraSlice;
  result: VertebraAttribution;
  deltaThreshold: number;
}

function fmt(p: number): string {
  return p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
}

/** Legend lines: probabilities, then one line per candidate. */
function legend(input: FigureInput): string[] {
  const { result } = input;
  const lines = [`${input.title}   P_M ${fmt(result.pMalignant)}   P_H ${fmt(result.pHealthy)}   DELTA THRESHOLD ${input.deltaThreshold}`];
  if (result.candidates.length === 0) lines.push('NO CANDIDATES');
  result.candidates.forEach((c, k) => {
    const delta = c.delta === null ? 'NOT SCORED' : `DELTA ${c.delta.toFixed(2)}`;
    lines.push(`#${k + 1} ${c.type.toUpperCase()} ${c.pixels} PX AT (${c.centroid.row.toFixed(1)}, ${c.centroid.col.toFixed(1)}) ${delta} ${c.kept ? 'KEPT' : 'DROPPED'}`);
  });
  return lines;
}

/** Where the panels go: image scale and the top-left corner of the image of panel (col, row). */
export function figureLayout(rows: number, cols: number) {
  const scale = Math.max(1, Math.floor(256 / Math.max(rows, cols)));
  const cell = { w: cols * scale + GAP, h: rows * scale + LINE + GAP };
  return { scale, cell, panel: (col: number, row: number) => ({ x: GAP + col * cell.w, y: GAP + row * cell.h + LINE }) };
}

/** The figure as PNG bytes. */
export function renderAttributionFigure(input: FigureInput): Buffer {
  const { slice, result } = input;
  const { rows, cols } = result;
  const { scale, cell, panel: origin } = figureLayout(rows, cols);
  const lines = legend(input);
  const legendWidth = Math.max(...lines.map((l) => textWidth(l, TEXT)));
  const width = Math.max(3 * cell.w + GAP, legendWidth + 2 * GAP);
  const height = GAP + 2 * cell.h + LINE * (lines.length + 2) + GAP;
  const cv = new Canvas(width, height, BACKGROUND);
  const n = rows * cols;
  const inMask = (i: number) => slice.mask.data[i] !== 0;

  const diff = Float32Array.from({ length: n }, (_, i) => Math.abs(result.edit[i]! - result.recon[i]!));
  const diffMax = diff.reduce((m, v) => Math.max(m, v), 0);
  const owner = new Int32Array(n).fill(-1);
  result.candidates.forEach((c, k) => c.pixelIndices.forEach((i) => (owner[i] = k)));

  const panel = (col: number, row: number, title: string, colour: (i: number) => RGB): { x: number; y: number } => {
    const { x, y } = origin(col, row);
    cv.text(x, y - LINE, title, WHITE, TEXT);
    cv.image(x, y, rows, cols, scale, colour);
    return { x, y };
  };

  const inputPanel = panel(0, 0, 'INPUT (BODY MASK)', (i) => grey(slice.image[i]!));
  cv.contour(inputPanel.x, inputPanel.y, rows, cols, scale, inMask, MASK_COLOUR);
  panel(1, 0, 'RECONSTRUCTION', (i) => grey(result.recon[i]!));
  panel(2, 0, 'HEALTHY EDIT', (i) => grey(result.edit[i]!));
  panel(0, 1, `ABS(EDIT - RECON) MAX ${diffMax.toFixed(3)}`, (i) => viridis(diffMax > 0 ? diff[i]! / diffMax : 0));
  const cand = panel(1, 1, 'CANDIDATES BY DELTA', (i) => {
    const c = result.candidates[owner[i]!];
    if (c === undefined) return grey(slice.image[i]!, 0.45);
    if (c.delta === null) return c.type === 'lytic' ? LYTIC_COLOUR : BLASTIC_COLOUR;
    return viridis(c.delta);
  });
  result.candidates.forEach((c, k) => {
    cv.contour(cand.x, cand.y, rows, cols, scale, (i) => owner[i] === k, c.type === 'lytic' ? LYTIC_COLOUR : BLASTIC_COLOUR);
    const label = String(k + 1);
    const x = Math.round(cand.x + (c.centroid.col + 0.5) * scale - textWidth(label, TEXT) / 2);
    const y = Math.round(cand.y + (c.centroid.row + 0.5) * scale - (GLYPH_HEIGHT * TEXT) / 2);
    cv.text(x + 1, y + 1, label, BLACK, TEXT);
    cv.text(x, y, label, WHITE, TEXT);
  });
  const seg = panel(2, 1, 'LYTIC RED / BLASTIC BLUE', (i) => grey(slice.image[i]!));
  const thick = Math.max(1, Math.floor(scale / 3));
  cv.contour(seg.x, seg.y, rows, cols, scale, (i) => result.labels[i] === LYTIC, LYTIC_COLOUR, thick);
  cv.contour(seg.x, seg.y, rows, cols, scale, (i) => result.labels[i] === BLASTIC, BLASTIC_COLOUR, thick);

  // Colour bar of Δ from 0 to 1 under the legend's first line.
  let y = GAP + 2 * cell.h;
  cv.text(GAP, y, lines[0]!, WHITE, TEXT);
  y += LINE;
  const barX = GAP + textWidth('DELTA 0 ', TEXT);
  const barW = 200;
  cv.text(GAP, y, 'DELTA 0', MUTED, TEXT);
  for (let i = 0; i < barW; i++) cv.fillRect(barX + i, y, 1, GLYPH_HEIGHT * TEXT, viridis(i / (barW - 1)));
  cv.text(barX + barW + TEXT * 2, y, '1', MUTED, TEXT);
  y += LINE;
  for (const line of lines.slice(1)) {
    cv.text(GAP, y, line, line.endsWith('KEPT') ? WHITE : MUTED, TEXT);
    y += LINE;
  }
  return cv.toPng();
}
