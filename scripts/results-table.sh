#!/usr/bin/env bash
# The README's results table, end to end (about 80 min on 2 cores): the synthetic benchmark data, the baselines,
# the two ablations, then one `hsa benchmark` run that reads them back beside Hide-and-Seek. A step whose output
# exists is skipped, so a stopped run resumes; OUT (default runs/results) is the only folder written besides data/bench.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/results}
M=data/bench/manifest.csv
hsa() { node bin/hsa.js "$@"; }
# seg DIR OPTION: the test split segmented with the bundled model and OPTION, resumed if DIR holds a stopped run.
seg() { [ -f "$1/summary.csv" ] || hsa segment --manifest "$M" --split test --model models "$2" --out "$1" $([ -d "$1" ] && echo --continue); }
[ -f "$M" ] || hsa phantom --count 1300 --seed 2026 --out data/bench
mkdir -p "$OUT"
[ -f "$OUT/base/benchmark.md" ] || hsa benchmark --manifest "$M" --split test --methods otsu,gradcam,gradcam++,layercam,eigencam,ad \
  --cnn models/baselines/cnn --ad-model models/baselines/ad --out "$OUT/base"
seg "$OUT/keepall" --keep-all
seg "$OUT/noharm" --no-harmonise
B=$OUT/base
hsa benchmark --manifest "$M" --split test --model models --methods hsa \
  --predictions "Otsu=$B/otsu" --predictions "GradCAM=$B/gradcam" --predictions "GradCAM++=$B/gradcam++" \
  --predictions "LayerCAM=$B/layercam" --predictions "EigenCAM=$B/eigencam" --predictions "AD=$B/ad" \
  --predictions "Hide-and-Seek, no harmonisation=$OUT/noharm" --predictions "Hide-and-Seek, keep all=$OUT/keepall" \
  --out "$OUT/bench"
