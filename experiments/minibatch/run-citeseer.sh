#!/bin/sh
# GraphSAGE on CiteSeer, full-batch and on sampled mini-batches (fanouts 25,10, batch 512), seeds
# 0–2, fathom train's default epochs and patience (200, 100). One process at a time, one thread.
# Writes results/citeseer-{full,batch}-<seed>.json.
set -e
cd "$(dirname "$0")/../.."
mkdir -p experiments/minibatch/results
for seed in 0 1 2; do
  OMP_NUM_THREADS=1 node bin/fathom.js train --dataset citeseer --model sage --seed "$seed" \
    --json "experiments/minibatch/results/citeseer-full-$seed.json" > /dev/null
  OMP_NUM_THREADS=1 node bin/fathom.js train --dataset citeseer --model sage --seed "$seed" \
    --batch-size 512 --fanout 25,10 --json "experiments/minibatch/results/citeseer-batch-$seed.json" > /dev/null
done
node experiments/minibatch/summarize.mjs
