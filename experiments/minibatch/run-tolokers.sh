#!/bin/sh
# GraphSAGE on tolokers (11 758 nodes, binary labels, the heterophilous benchmark's split 0),
# full-batch and on sampled mini-batches (fanouts 25,10, batch 512), seeds 0–2, scored and
# early-stopped by ROC-AUC (the benchmark's metric: 78 % of the nodes are class 0, so accuracy
# sits at the majority share), fathom train's default epochs and patience (200, 100). One
# process at a time, one thread. Writes results/tolokers-{full,batch}-<seed>.json.
set -e
cd "$(dirname "$0")/../.."
mkdir -p experiments/minibatch/results
for seed in 0 1 2; do
  OMP_NUM_THREADS=1 node bin/fathom.js train --dataset tolokers --model sage --metric roc-auc --seed "$seed" \
    --json "experiments/minibatch/results/tolokers-full-$seed.json" > /dev/null
  OMP_NUM_THREADS=1 node bin/fathom.js train --dataset tolokers --model sage --metric roc-auc --seed "$seed" \
    --batch-size 512 --fanout 25,10 --json "experiments/minibatch/results/tolokers-batch-$seed.json" > /dev/null
done
node experiments/minibatch/summarize.mjs
