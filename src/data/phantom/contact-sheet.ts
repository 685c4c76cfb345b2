// A contact sheet for a human look: centre slices (bone-friendly window −250…1250 HU), lesion outlines
// (red = lytic, green = blastic), body outline (blue), a frame colour for the label (orange = malignant)
// and one coloured tag per benign mimic in the tile's corner.
import { PNG } from 'pngjs';
import { writeFileAtomic } from '../files.js';
import { CROP, type PhantomCase } from './crop.js';
import { describeCase } from './dataset.js';

type RGB = [number, number, number];
export const MIMIC_COLOURS: Record<string, RGB> = {
  'bone-island': [255, 255, 255],
  haemangioma: [255, 160, 0],
  schmorl: [0, 220, 255],
  'endplate-sclerosis': [255, 0, 255],
  osteophyte: [255, 255, 0],
  osteoporosis: [60, 90, 255],
};
const LESION: Record<number, RGB> = { 1: [255, 40, 40], 2: [40, 255, 40] };
const BODY: RGB = [60, 120, 255];

export function contactSheet(cases: readonly PhantomCase[], columns = 8, zoom = 2): PNG {
  const tile = CROP * zoom + 4;
  const rows = Math.ceil(cases.length / columns);
  const png = new PNG({ width: columns * tile, height: rows * tile });
  png.data.fill(0);
  const put = (x: number, y: number, c: RGB) => {
    const o = (y * png.width + x) * 4;
    png.data[o] = c[0]; png.data[o + 1] = c[1]; png.data[o + 2] = c[2]; png.data[o + 3] = 255;
  };
  cases.forEach((c, n) => {
    const x0 = (n % columns) * tile + 2;
    const y0 = Math.floor(n / columns) * tile + 2;
    const k = CROP / 2;
    const at = (r: number, col: number) => r + CROP * col + CROP * CROP * k;
    const edge = (map: Uint8Array, r: number, col: number, v: number) =>
      map[at(r, col)] === v && [[1, 0], [-1, 0], [0, 1], [0, -1]].some(([dr, dc]) => {
        const rr = r + dr!, cc = col + dc!;
        return rr < 0 || cc < 0 || rr >= CROP || cc >= CROP || map[at(rr, cc)] !== v;
      });
    for (let r = 0; r < CROP; r++) {
      for (let col = 0; col < CROP; col++) {
        const g = Math.round(255 * Math.min(1, Math.max(0, (c.ct[at(r, col)]! + 250) / 1500)));
        let colour: RGB = [g, g, g];
        if (edge(c.body, r, col, 1)) colour = BODY;
        for (const v of [1, 2]) if (edge(c.lesion, r, col, v)) colour = LESION[v]!;
        for (let dy = 0; dy < zoom; dy++) for (let dx = 0; dx < zoom; dx++) put(x0 + col * zoom + dx, y0 + r * zoom + dy, colour);
      }
    }
    const frame: RGB = c.spec.label === 1 ? [255, 140, 0] : [90, 90, 90];
    for (let t = 0; t < tile - 2; t++) {
      put(x0 - 2 + t, y0 - 2, frame); put(x0 - 2 + t, y0 + tile - 5, frame);
      put(x0 - 2, y0 - 2 + t, frame); put(x0 + tile - 5, y0 - 2 + t, frame);
    }
    describeCase(c).mimics.forEach((m, i) => {
      for (let dy = 0; dy < 6; dy++) for (let dx = 0; dx < 6; dx++) put(x0 + 2 + i * 8 + dx, y0 + 2 + dy, MIMIC_COLOURS[m]!);
    });
  });
  return png;
}

export function writeContactSheet(path: string, cases: readonly PhantomCase[], columns?: number): void {
  writeFileAtomic(path, PNG.sync.write(contactSheet(cases, columns)));
}
