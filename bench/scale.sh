#!/bin/sh
# Every case of scale.bench.mjs, one process each under /usr/bin/time -v (peak RSS, wall time),
# niced: the machine is shared. Writes bench/results/scale-cpu.json (one key per case) and each
# case's time -v report to bench/results/scale-<case>.time.txt.
set -e
cd "$(dirname "$0")/.."
run() {
  label=$1
  shift
  nice /usr/bin/time -v -o "bench/results/scale-$label.time.txt" node bench/scale.bench.mjs --label "$label" "$@"
  grep -E 'Maximum resident|Elapsed' "bench/results/scale-$label.time.txt"
}
case "${1:-all}" in
  sage | all) run sage-10M --case sage ;;
esac
case "${1:-all}" in
  resgcn | all)
    run resgcn64-partition-random --case resgcn --mode partition --blocks 64 --parts 100 --parts-per-batch 2 --steps 3
    run resgcn4-full --case resgcn --mode full --blocks 4 --steps 1
    run resgcn8-full --case resgcn --mode full --blocks 8 --steps 1
    run resgcn16-full-checkpoint4 --case resgcn --mode full --blocks 16 --checkpoint-every 4 --steps 1
    run resgcn64-partition-metis --case resgcn --mode metis --blocks 64 --parts 100 --parts-per-batch 2 --steps 3
    ;;
esac
