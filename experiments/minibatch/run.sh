#!/bin/sh
# GraphSAGE on Cora, full-batch and on sampled mini-batches (fanouts 25,10, batch 512), seeds
# 0–2, the same epochs and patience (fathom train's defaults: 200, 100). One process at a time,
# one thread, so step times are comparable. Writes results/<mode>-<seed>.json.
set -e
cd "$(dirname "$0")/../.."
mkdir -p experiments/minibatch/results
for seed in 0 1 2; do
  OMP_NUM_THREADS=1 node bin/fathom.js train --dataset cora --model sage --seed "$seed" \
    --json "experiments/minibatch/results/full-$seed.json" > /dev/null
  OMP_NUM_THREADS=1 node bin/fathom.js train --dataset cora --model sage --seed "$seed" \
    --batch-size 512 --fanout 25,10 --json "experiments/minibatch/results/batch-$seed.json" > /dev/null
  # Cora has 140 training nodes, so batch 512 is one step per epoch; 32 gives five.
  OMP_NUM_THREADS=1 node bin/fathom.js train --dataset cora --model sage --seed "$seed" \
    --batch-size 32 --fanout 25,10 --json "experiments/minibatch/results/batch32-$seed.json" > /dev/null
done
node experiments/minibatch/summarize.mjs
