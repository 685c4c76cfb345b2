import { describe, expect, it } from 'vitest';
import { connectedComponents } from '../../../src/method/regions/components.js';
import { splitAtCores } from '../../../src/method/regions/split.js';

// One row of 9 pixels, all in one component; map values with two peaks (pixels 1–2 and 6–7) and a valley at 4.
const row = (values: number[]) => ({ rows: 1, cols: values.length, data: Uint8Array.from(values, (v) => (v > 0 ? 1 : 0)) });
const MAP = [0.3, 0.9, 0.8, 0.3, 0.2, 0.4, 0.9, 0.9, 0.3];

describe('splitAtCores', () => {
  it('a component with two cores becomes two pieces, the rest of it grown from each core', () => {
    const comp = connectedComponents(row(MAP), 1);
    expect(comp.count).toBe(1);
    const split = splitAtCores(comp, MAP, 0.5, 2);
    expect(split.count).toBe(2);
    // Rings: pixels 0, 3 (from core 1) and 5, 8 (from core 2) first; then 4 between 3 (0.3) and 5 (0.4) joins core 2.
    expect(Array.from(split.labels)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 2]);
  });

  it('cores under minSize do not count, so such a component stays whole', () => {
    const values = [0.3, 0.9, 0.3, 0.3, 0.2, 0.4, 0.9, 0.9, 0.3];
    const split = splitAtCores(connectedComponents(row(values), 1), values, 0.5, 2);
    expect(Array.from(split.labels)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('components are split independently and numbered in raster order of their first pixel', () => {
    // Component A (pixels 0–2) has one core; component B (4–12) is MAP shifted, with two cores.
    const values = [0.9, 0.9, 0.3, 0, ...MAP];
    const split = splitAtCores(connectedComponents(row(values), 1), values, 0.5, 2);
    expect(split.count).toBe(3);
    expect(Array.from(split.labels)).toEqual([1, 1, 1, 0, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
  });

  it('a map of the wrong size is refused', () => {
    expect(() => splitAtCores(connectedComponents(row(MAP), 1), [1, 2], 0.5, 2)).toThrow(/map has 2 values for a 1×9 grid/);
  });
});
