#!/bin/sh
# GCN and GAT on Cora, full-batch and on sampled mini-batches (fanouts 25,10, batch 512), seeds
# 0–2, fathom train's defaults for each model (200 epochs, patience 100). One process at a time,
# one thread. Writes results/{gcn,gat}-{full,batch}-<seed>.json.
set -e
cd "$(dirname "$0")/../.."
mkdir -p experiments/minibatch/results
for model in gcn gat; do
  for seed in 0 1 2; do
    OMP_NUM_THREADS=1 node bin/fathom.js train --dataset cora --model "$model" --seed "$seed" \
      --json "experiments/minibatch/results/$model-full-$seed.json" > /dev/null
    OMP_NUM_THREADS=1 node bin/fathom.js train --dataset cora --model "$model" --seed "$seed" \
      --batch-size 512 --fanout 25,10 --json "experiments/minibatch/results/$model-batch-$seed.json" > /dev/null
  done
done
node experiments/minibatch/summarize.mjs
