#!/bin/bash
# A Slurm array without a queue: task i segments part i/n of the manifest into its own folder.
#   sbatch docs/slurm/segment-array.sh /shared/cohort/manifest.csv /shared/runs/cohort
# A requeued (preempted) task finds its folder begun and continues it; a finished part is not redone.
#SBATCH --job-name=hsa-segment
#SBATCH --array=0-15
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=24:00:00
set -euo pipefail
manifest=$1
run=$2
out="$run/part-$SLURM_ARRAY_TASK_ID"
[ -e "$out/run.json" ] && exit 0 # this part is done
cont=""
[ -e "$out/.hsa-segment.json" ] && cont=--continue
export HSA_NUM_THREADS=$SLURM_CPUS_PER_TASK
exec node bin/hsa.js segment --manifest "$manifest" --model /shared/models \
  --shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" --out "$out" $cont
