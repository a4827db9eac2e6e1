#!/bin/sh
# A 16-block res-gcn on Cora, full-batch and on random-partition batches (10 random parts, 2 per
# batch: 5 steps per epoch on induced subgraphs), seeds 0–2, fathom train's other defaults. One
# process at a time, one thread. Writes results/resgcn16full-<seed>.json and
# results/resgcn16parts-<seed>.json.
set -e
cd "$(dirname "$0")/../.."
mkdir -p experiments/minibatch/results
for seed in 0 1 2; do
  OMP_NUM_THREADS=1 node bin/fathom.js train --dataset cora --model res-gcn --layers 16 --seed "$seed" \
    --json "experiments/minibatch/results/resgcn16full-$seed.json" > /dev/null
  OMP_NUM_THREADS=1 node bin/fathom.js train --dataset cora --model res-gcn --layers 16 --seed "$seed" \
    --partitions 10 --parts-per-batch 2 --json "experiments/minibatch/results/resgcn16parts-$seed.json" > /dev/null
done
node experiments/minibatch/summarize.mjs
