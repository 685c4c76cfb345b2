// An RGB drawing surface for figures: filled rectangles, pixel-block images, region contours and 3×5 text,
// encoded as PNG with pngjs.
import { PNG } from 'pngjs';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphPixel } from './font.js';

export type RGB = readonly [number, number, number];

export class Canvas {
  readonly png: PNG;

  constructor(readonly width: number, readonly height: number, background: RGB) {
    this.png = new PNG({ width, height });
    this.fillRect(0, 0, width, height, background);
  }

  set(x: number, y: number, [r, g, b]: RGB): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const o = (y * this.width + x) * 4;
    const d = this.png.data;
    d[o] = r;
    d[o + 1] = g;
    d[o + 2] = b;
    d[o + 3] = 255;
  }

  fillRect(x: number, y: number, w: number, h: number, rgb: RGB): void {
    for (let j = y; j < y + h; j++) for (let i = x; i < x + w; i++) this.set(i, j, rgb);
  }

  /** A rows × cols image at (x0, y0), every pixel a scale × scale block coloured by colour(index). */
  image(x0: number, y0: number, rows: number, cols: number, scale: number, colour: (index: number) => RGB): void {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) this.fillRect(x0 + c * scale, y0 + r * scale, scale, scale, colour(r * cols + c));
  }

  /** The boundary of the pixels where inside(index) holds, drawn on the edges between inside and outside pixels. */
  contour(x0: number, y0: number, rows: number, cols: number, scale: number, inside: (index: number) => boolean, rgb: RGB, thickness = 1): void {
    const isIn = (r: number, c: number) => r >= 0 && c >= 0 && r < rows && c < cols && inside(r * cols + c);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        if (!isIn(r, c)) continue;
        const x = x0 + c * scale;
        const y = y0 + r * scale;
        if (!isIn(r - 1, c)) this.fillRect(x, y, scale, thickness, rgb);
        if (!isIn(r + 1, c)) this.fillRect(x, y + scale - thickness, scale, thickness, rgb);
        if (!isIn(r, c - 1)) this.fillRect(x, y, thickness, scale, rgb);
        if (!isIn(r, c + 1)) this.fillRect(x + scale - thickness, y, thickness, scale, rgb);
      }
    }
  }

  /** Text with its top-left corner at (x, y); each font pixel a scale × scale block. */
  text(x: number, y: number, text: string, rgb: RGB, scale = 1): void {
    [...text].forEach((ch, k) => {
      const cx = x + k * (GLYPH_WIDTH + 1) * scale;
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) if (glyphPixel(ch, gx, gy)) this.fillRect(cx + gx * scale, y + gy * scale, scale, scale, rgb);
      }
    });
  }

  toPng(): Buffer {
    return PNG.sync.write(this.png);
  }
}
