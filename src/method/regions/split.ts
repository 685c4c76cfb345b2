// Splits a component that holds several cores into one piece per core (issue 13, ninth session): a low cut of a
// difference map merges a lesion with the changes around it into one candidate, which then scores as neither.
// A seeded growth on a 64×64 grid is a few lines; no image library for Node does a seeded watershed on typed arrays.
import { connectedComponents, forEachNeighbour4, type Components } from './components.js';

/**
 * The components of comp, each one holding two or more cores — 4-connected sets of at least minSize of its pixels
 * where map > coreCut — split into one piece per core: the other pixels join the cores by growing from all of
 * them at once, one 4-neighbour ring per pass, a pixel taking the piece of its highest-valued assigned neighbour.
 * Components with fewer cores stay whole. Pieces are numbered in raster order of their first pixel.
 */
export function splitAtCores(comp: Components, map: ArrayLike<number>, coreCut: number, minSize: number): Components {
  const { rows, cols, labels } = comp;
  const n = rows * cols;
  if (map.length !== n) throw new Error(`splitAtCores: map has ${map.length} values for a ${rows}×${cols} grid`);
  const cores = connectedComponents({ rows, cols, data: Uint8Array.from(labels, (l, i) => (l > 0 && map[i]! > coreCut ? 1 : 0)) }, minSize);
  // A core lies inside one component: distinct components are never 4-adjacent.
  const coresOf = new Map<number, Set<number>>();
  cores.labels.forEach((c, i) => {
    if (c === 0) return;
    const set = coresOf.get(labels[i]!) ?? new Set<number>();
    coresOf.set(labels[i]!, set.add(c));
  });
  // piece: a core's label (1..cores.count) for split components, cores.count + component label for whole ones.
  const piece = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (l === 0) continue;
    if ((coresOf.get(l)?.size ?? 0) < 2) piece[i] = cores.count + l;
    else if (cores.labels[i]! > 0) piece[i] = cores.labels[i]!;
  }
  for (let grew = true; grew; ) {
    grew = false;
    const ring: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      if (labels[i] === 0 || piece[i] !== 0) continue;
      let best = -1;
      forEachNeighbour4(i, rows, cols, (j) => {
        if (piece[j]! > 0 && labels[j] === labels[i] && (best < 0 || map[j]! > map[best]!)) best = j;
      });
      if (best >= 0) ring.push([i, piece[best]!]);
    }
    for (const [i, p] of ring) piece[i] = p;
    grew = ring.length > 0;
  }
  const renumber = new Map<number, number>();
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (piece[i] === 0) continue;
    if (!renumber.has(piece[i]!)) renumber.set(piece[i]!, renumber.size + 1);
    out[i] = renumber.get(piece[i]!)!;
  }
  return { rows, cols, labels: out, count: renumber.size };
}
