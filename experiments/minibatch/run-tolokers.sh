#!/bin/sh
# GraphSAGE on tolokers (11 758 nodes, binary labels, the heterophilous benchmark's split 0),
# full-batch and on sampled mini-batches (fanouts 25,10, batch 512), seeds 0–2, scored and
# early-stopped by ROC-AUC (the benchmark's metric: 78 % of the nodes are class 0, so accuracy
# sits at the majority share), patience 100. One process at a time, one thread.
#   sh run-tolokers.sh        200 epochs (fathom train's default): results/tolokers-{full,batch}-<seed>.json
#   sh run-tolokers.sh 500    500 epochs: results/tolokers-e500-{full,batch}-<seed>.json
set -e
cd "$(dirname "$0")/../.."
epochs=${1:-200}
prefix=tolokers
[ "$epochs" = 200 ] || prefix="tolokers-e$epochs"
mkdir -p experiments/minibatch/results
for seed in 0 1 2; do
  OMP_NUM_THREADS=1 node bin/fathom.js train --dataset tolokers --model sage --metric roc-auc --epochs "$epochs" --seed "$seed" \
    --json "experiments/minibatch/results/$prefix-full-$seed.json" > /dev/null
  OMP_NUM_THREADS=1 node bin/fathom.js train --dataset tolokers --model sage --metric roc-auc --epochs "$epochs" --seed "$seed" \
    --batch-size 512 --fanout 25,10 --json "experiments/minibatch/results/$prefix-batch-$seed.json" > /dev/null
done
node experiments/minibatch/summarize.mjs
