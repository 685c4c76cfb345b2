// The viewer page's script (plain browser JavaScript, served as /app.js). It reads a vertebra's result.json
// and maps.safetensors from /files/, draws the maps on canvases at their native size (CSS scales them up),
// and re-derives the lesion overlay whenever the Δ slider moves.
import { BLASTIC_COLOUR, LYTIC_COLOUR } from '../method/figures/attribution-figure.js';
import { deriveLabels } from './derive-labels.js';

const BODY = String.raw`
const LYTIC = ${JSON.stringify(LYTIC_COLOUR)}, BLASTIC = ${JSON.stringify(BLASTIC_COLOUR)}, ALPHA = 0.55;
const $ = (id) => document.getElementById(id);
let current = null;

// safetensors: 8-byte little-endian header length, JSON header, then little-endian tensor bytes.
function parseSafetensors(buf) {
  const n = Number(new DataView(buf).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 8, n)));
  const types = { F32: Float32Array, I32: Int32Array, U8: Uint8Array };
  const out = {};
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__' || !types[t.dtype]) continue;
    const bytes = buf.slice(8 + n + t.data_offsets[0], 8 + n + t.data_offsets[1]);
    out[name] = { shape: t.shape, data: new types[t.dtype](bytes) };
  }
  return out;
}

function paint(canvas, rows, cols, rgbAt) {
  canvas.width = cols; canvas.height = rows;
  const ctx = canvas.getContext('2d'), img = ctx.createImageData(cols, rows);
  for (let i = 0; i < rows * cols; i++) {
    const [r, g, b] = rgbAt(i);
    img.data.set([r, g, b, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
}

const grey = (v) => { const g = Math.round(255 * Math.min(1, Math.max(0, v))); return [g, g, g]; };
const blend = (base, c) => base.map((v, k) => Math.round((1 - ALPHA) * v + ALPHA * c[k]));

function drawOverlay() {
  const { maps, result } = current;
  const t = Number($('threshold').value);
  const [rows, cols] = maps.image.shape;
  const labels = deriveLabels(maps.candidates.data, result.candidates.map((c) => (c.type === 'lytic' ? 1 : 2)),
    result.candidates.map((c) => c.delta), result.candidates.map((c) => c.kept), t);
  let lesion = 0;
  paint($('ct'), rows, cols, (i) => {
    const base = grey(maps.image.data[i]);
    if (labels[i] === 0) return base;
    lesion++;
    return blend(base, labels[i] === 1 ? LYTIC : BLASTIC);
  });
  $('ct').dataset.overlayPixels = String(lesion);
  $('threshold-value').textContent = t.toFixed(2);
  for (const tr of $('candidates').querySelectorAll('tr[data-delta]')) {
    const d = tr.dataset.delta;
    tr.classList.toggle('kept', d === '' ? tr.dataset.kept === 'true' : Number(d) > t);
  }
}

function candidateRows(result) {
  const body = $('candidates');
  body.replaceChildren();
  for (const c of result.candidates) {
    const tr = document.createElement('tr');
    tr.dataset.delta = c.delta === null ? '' : String(c.delta);
    tr.dataset.kept = String(c.kept);
    tr.className = c.type;
    for (const text of ['#' + c.id, c.type, String(c.pixels), c.areaMm2.toFixed(1), c.delta === null ? 'not scored' : c.delta.toFixed(3)]) {
      const td = document.createElement('td'); td.textContent = text; tr.append(td);
    }
    body.append(tr);
  }
  if (result.candidates.length === 0) body.innerHTML = '<tr><td colspan="5">no candidates</td></tr>';
}

async function select(id) {
  const base = '/files/' + encodeURIComponent(id) + '/';
  const [result, buf] = await Promise.all([
    fetch(base + 'result.json').then((r) => r.json()),
    fetch(base + 'maps.safetensors').then((r) => r.arrayBuffer()),
  ]);
  const maps = parseSafetensors(buf);
  current = { id, result, maps };
  const [rows, cols] = maps.image.shape;
  paint($('edit'), rows, cols, (i) => grey(maps.edit.data[i]));
  let max = 0;
  for (let i = 0; i < rows * cols; i++) max = Math.max(max, maps.lytic_difference.data[i], maps.blastic_difference.data[i]);
  // Difference: lytic (healthy brighter) in red, blastic (healthy darker) in blue, scaled to the maximum.
  paint($('diff'), rows, cols, (i) => {
    const l = max > 0 ? maps.lytic_difference.data[i] / max : 0, b = max > 0 ? maps.blastic_difference.data[i] / max : 0;
    return [Math.round(255 * l), Math.round(60 * Math.max(l, b)), Math.round(255 * b)];
  });
  $('case-title').textContent = id + '  p_malignant ' + result.pMalignant.toFixed(3) + '  p_healthy ' + result.pHealthy.toFixed(3);
  $('threshold').value = String(result.options.deltaThreshold);
  candidateRows(result);
  for (const b of document.querySelectorAll('#case-list button')) b.classList.toggle('selected', b.dataset.case === id);
  drawOverlay();
  document.body.dataset.selected = id;
}

async function main() {
  const cases = await fetch('/api/cases').then((r) => r.json());
  for (const c of cases) {
    const li = document.createElement('li'), b = document.createElement('button');
    b.dataset.case = c.id;
    b.textContent = c.id + ' (p ' + c.pMalignant.toFixed(2) + ', ' + c.candidates + ' cand.)';
    b.addEventListener('click', () => select(c.id));
    li.append(b); $('case-list').append(li);
  }
  $('threshold').addEventListener('input', () => current && drawOverlay());
  if (cases.length > 0) await select(cases[0].id);
}
main().catch((e) => { $('error').textContent = String(e); });
`;

export const CLIENT_SCRIPT = `${deriveLabels.toString()}\n${BODY}`;
