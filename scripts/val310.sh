#!/usr/bin/env bash
# The 310 validation vertebrae the bundled settings are chosen on (docs/model.md, seventh session): the val rows of
# data/bench (prefix b) and the val + test rows of data/val2 (prefix v; that set's model never saw them), linked
# into data/val310 with manifest.csv (all 310), b100.csv and v210.csv. Makes the two phantom sets when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f data/bench/manifest.csv ] || node bin/hsa.js phantom --count 1300 --seed 2026 --out data/bench
[ -f data/val2/manifest.csv ] || node bin/hsa.js phantom --count 900 --seed 2027 --out data/val2
[ -e data/val310 ] && { echo "data/val310 exists; remove it first" >&2; exit 1; }
mkdir -p data/val310.tmp/{images,masks,lesions}
H='image,seg_msk,label,lesion_msk,split'
for set in b:bench:val v:val2:val,test; do
  IFS=: read -r p dir splits <<<"$set"
  awk -F, -v p="$p" -v splits="$splits" 'BEGIN{OFS=","; n=split(splits,s,","); for(i=1;i<=n;i++) want[s[i]]=1}
    NR>1 && ($5 in want) {print $1,$2,$3,$4}' "data/$dir/manifest.csv" | while IFS=, read -r img seg label les; do
    for f in "$img" "$seg" "$les"; do ln -s "$PWD/data/$dir/$f" "data/val310.tmp/$(dirname "$f")/$p$(basename "$f")"; done
    echo "$(dirname "$img")/$p$(basename "$img"),$(dirname "$seg")/$p$(basename "$seg"),$label,$(dirname "$les")/$p$(basename "$les"),val"
  done > "data/val310.tmp/$p.rows"
done
{ echo "$H"; cat data/val310.tmp/b.rows; } > data/val310.tmp/b100.csv
{ echo "$H"; cat data/val310.tmp/v.rows; } > data/val310.tmp/v210.csv
{ echo "$H"; cat data/val310.tmp/b.rows data/val310.tmp/v.rows; } > data/val310.tmp/manifest.csv
rm data/val310.tmp/{b,v}.rows
mv data/val310.tmp data/val310
wc -l data/val310/*.csv
