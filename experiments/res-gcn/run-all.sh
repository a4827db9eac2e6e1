#!/bin/sh
# Every experiment of docs/results-res.md, in order (single-threaded: the machine is shared and
# OpenMP spin-waits under oversubscription cost more than a second thread gains).
set -e
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
node experiments/res-gcn/run.mjs accuracy fixup 64 0,1,2 200
node experiments/res-gcn/run.mjs accuracy none 64 0,1,2 200
node experiments/res-gcn/run.mjs memory-all
node experiments/res-gcn/run.mjs gradients
node experiments/res-gcn/run.mjs accuracy fixup 256 0,1,2 100
node experiments/res-gcn/run.mjs accuracy fixup 256 0,1,2 200
node experiments/res-gcn/run.mjs accuracy fixup 64 0 200 '{"norm":"lipschitz"}'
node experiments/res-gcn/run.mjs accuracy fixup 64 0 200 '{"norm":"lipschitz","lipschitzMode":"c"}'
