#!/usr/bin/env bash
# The GPU check, for a machine with an NVIDIA GPU and a CUDA build of PyTorch: builds the addon against the
# libtorch inside that PyTorch (LIBTORCH=auto), then on CUDA runs golden parity (fp32, which must pass, and bf16,
# whose errors are reported), bench:dae, a short training run, the classifier's encoding and a segmentation,
# and prints one summary. Usage: bash scripts/device-check.sh [cuda|cuda:N]   (PYTHON=… picks the python)
set -uo pipefail
cd "$(dirname "$0")/.."
DEVICE="${1:-cuda}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/hsa-device-check.XXXXXX")"
SUMMARY=()
FAILED=0

# step NAME COMMAND...: runs it with its output in $WORK/NAME.log, records ok/FAILED and the seconds taken.
step() {
  local name="$1"; shift
  local t0=$SECONDS
  echo "device-check: $name ..." >&2
  if "$@" >"$WORK/$name.log" 2>&1; then
    SUMMARY+=("ok      $name ($((SECONDS - t0)) s)")
  else
    SUMMARY+=("FAILED  $name ($((SECONDS - t0)) s; log: $WORK/$name.log)")
    FAILED=1
  fi
}
# The lines of a step's log worth reading in the summary.
show() { grep -E "$2" "$WORK/$1.log" 2>/dev/null | sed 's/^/    /' | head -n "${3:-20}"; }

if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_api.h ]; then export npm_config_nodedir=/usr; fi
step build env LIBTORCH=auto bash -c 'node native/gen-ops.mjs && npx node-gyp rebuild -j "$(nproc)" && npx tsc -p tsconfig.json'
step cuda node bin/hsa.js info
if ! grep -q 'device(s)' "$WORK/cuda.log" 2>/dev/null; then
  SUMMARY+=("FAILED  CUDA is not available to the addon (see $WORK/cuda.log); the remaining steps need it")
  FAILED=1
else
  step golden-fp32 npx tsx scripts/golden.ts --device "$DEVICE"
  step golden-bf16 npx tsx scripts/golden.ts --device "$DEVICE" --precision bf16
  step bench-dae env BENCH_DEVICE="$DEVICE" BENCH_SECONDS=5 npx tsx bench/dae.ts small cpu paper
  step bench-dae-bf16 env BENCH_DEVICE="$DEVICE" BENCH_PRECISION=bf16 BENCH_SECONDS=5 npx tsx bench/dae.ts small cpu
  step phantom node bin/hsa.js phantom --out "$WORK/data" --count 130 --seed 5
  step train-dae node bin/hsa.js train-dae --manifest "$WORK/data/manifest.csv" --out "$WORK/run" --preset small --recipe cpu --batch-size 32 --samples 3200 --checkpoint-every 50 --preview-every 0 --device "$DEVICE"
  step train-classifier node bin/hsa.js train-classifier --manifest "$WORK/data/manifest.csv" --model "$WORK/run/model.safetensors" --out "$WORK/run/classifier.json" --C 0.01 --device "$DEVICE"
  step segment node bin/hsa.js segment --manifest "$WORK/data/manifest.csv" --split test --model "$WORK/run" --out "$WORK/segment" --schedule preview --device "$DEVICE"
fi

echo
echo "== device-check on ${DEVICE} ($(date -u +%Y-%m-%dT%H:%MZ)); logs in $WORK"
printf '%s\n' "${SUMMARY[@]}"
show cuda 'libtorch|cuda' 3
show golden-fp32 'within tolerance' 1
show golden-bf16 '^(ok|FAIL)|within tolerance' 30
show bench-dae 'libtorch|^[a-z]+:|unet|train' 20
show bench-dae-bf16 'unet|train' 10
show train-dae 'done|stopped|img/s' 3
show segment 'segment:' 2
exit $FAILED
