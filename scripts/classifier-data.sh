#!/usr/bin/env bash
# The 3 690 labelled vertebrae the ninth session's latent classifier is fitted on (docs/model.md, "Ninth session"):
# bench's 1 000 train rows, data/val2's 690 train rows and all 2 000 of a third phantom set (seed 2031), every row
# relabelled `train`, in data/clf-big/manifest.csv with paths into those folders. None of them is a validation or
# test vertebra (data/val310 holds bench's val rows and val2's val + test rows). Makes the phantom sets when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f data/bench/manifest.csv ] || node bin/hsa.js phantom --count 1300 --seed 2026 --out data/bench
[ -f data/val2/manifest.csv ] || node bin/hsa.js phantom --count 900 --seed 2027 --out data/val2
[ -f data/clf2k/manifest.csv ] || node bin/hsa.js phantom --count 2000 --seed 2031 --out data/clf2k
[ -e data/clf-big ] && { echo "data/clf-big exists; remove it first" >&2; exit 1; }
mkdir -p data/clf-big.tmp
# rows DIR SPLITS: DIR's rows of those splits (all: every row), paths prefixed ../DIR/, split set to train.
rows() {
  awk -F, -v d="$1" -v splits="$2" 'BEGIN{OFS=","; n=split(splits,s,","); for(i=1;i<=n;i++) want[s[i]]=1}
    NR>1 && (splits=="all" || ($5 in want)) {$1="../" d "/" $1; $2="../" d "/" $2; $4="../" d "/" $4; $5="train"; print}' "data/$1/manifest.csv"
}
{ echo 'image,seg_msk,label,lesion_msk,split'; rows bench train; rows val2 train; rows clf2k all; } > data/clf-big.tmp/manifest.csv
mv data/clf-big.tmp data/clf-big
wc -l data/clf-big/manifest.csv
