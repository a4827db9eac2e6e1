#!/bin/bash
# DeeperGCN on Cora (public split) through the CLI, one process per run so peak RSS is per run.
# Usage (from the repository root, after `npm run build:ts` and the native build):
#   experiments/deep-layers/deepergcn/run.sh res+ 28 "0 1 2"
#   experiments/deep-layers/deepergcn/run.sh reversible 28 "0 1 2"
#   experiments/deep-layers/deepergcn/run.sh reversible 112 "0 1 2"
# Writes experiments/deep-layers/deepergcn/<block>-L<layers>-s<seed>.json (the `--json` summary).
set -euo pipefail
block=$1
layers=$2
seeds=${3:-"0 1 2"}
dir=$(dirname "$0")
for s in $seeds; do
  out="$dir/${block}-L${layers}-s${s}.json"
  extra=()
  if [ "$block" = reversible ]; then extra=(--block reversible); fi
  echo "+ OMP_NUM_THREADS=1 node bin/fathom.js train --dataset cora --model deepergcn --layers $layers ${extra[*]} --epochs 500 --patience 100 --seed $s --json $out" >&2
  OMP_NUM_THREADS=1 node bin/fathom.js train --dataset cora --model deepergcn --layers "$layers" "${extra[@]}" \
    --epochs 500 --patience 100 --seed "$s" --json "$out" > /dev/null
done
