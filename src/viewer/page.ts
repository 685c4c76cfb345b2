// The viewer's single HTML page; /app.js (client-script.ts) fills it in.
export const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hsa viewer</title><link rel="icon" href="data:,">
<style>
body{font:14px system-ui,sans-serif;margin:0;display:flex;background:#181818;color:#eee;min-height:100vh}
nav{width:270px;padding:1em;border-right:1px solid #333;overflow:auto}nav ul{list-style:none;padding:0}
nav button{width:100%;text-align:left;margin:2px 0;background:#2a2a2a;color:#eee;border:1px solid #444;padding:4px}
nav button.selected{background:#345;border-color:#69c}main{padding:1em;flex:1}
figure{display:inline-block;margin:0 1em 1em 0}figcaption{color:#aaa;margin-bottom:4px}
canvas{width:290px;image-rendering:pixelated;border:1px solid #333}
table{border-collapse:collapse}td,th{border:1px solid #444;padding:3px 8px}
tr.lytic td:nth-child(2){color:#eb3228}tr.blastic td:nth-child(2){color:#2878ff}tr:not(.kept){opacity:.45}
#error{color:#f66}
</style></head><body>
<nav><h2>Vertebrae</h2><ul id="case-list"></ul></nav>
<main><h2 id="case-title">loading…</h2><p id="error"></p>
<label>Δ threshold <input id="threshold" type="range" min="0" max="1" step="0.01" value="0.5"> <span id="threshold-value"></span></label>
<span>(a candidate is kept when Δ &gt; threshold; lytic red, blastic blue)</span>
<div><figure><figcaption>CT slice, lesions at the threshold</figcaption><canvas id="ct"></canvas></figure>
<figure><figcaption>healthy edit</figcaption><canvas id="edit"></canvas></figure>
<figure><figcaption>difference (lytic red, blastic blue)</figcaption><canvas id="diff"></canvas></figure></div>
<table><thead><tr><th>candidate</th><th>type</th><th>pixels</th><th>mm²</th><th>Δ</th></tr></thead><tbody id="candidates"></tbody></table>
</main><script src="/app.js"></script></body></html>
`;
