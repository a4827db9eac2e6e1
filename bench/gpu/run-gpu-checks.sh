#!/usr/bin/env bash
# Every GPU check of the project in one run on a CUDA machine, within a time budget, each step
# under its own time limit so that one slow part cannot eat the others' time:
#   1. build the addon with CUDA and the native tests (.device/on-gpu.sh, about 90 s on 16 cores);
#      the largest benchmark graph is then generated in the background while 2-5 run;
#   2. build/fathom_cuda_tests (every CUDA kernel against its CPU twin) and
#      build/fathom_cuda_graph_tests (captured CUDA graphs against plain replay);
#   3. bench/compare-cuda.bench.mjs on Cora and the 1M-node graphs: Fathom, PyTorch and PyTorch
#      Geometric side by side, and Fathom again with the candidate CUDA kernels that are still off
#      by default (side fathom-new: native/cuda/variants.h; the native tests of step 2 check them
#      against the CPU twins);
#   3b. bench/gpu/profile-kernels.mjs: per-kernel GPU time (Nsight Compute) of GAT and GCN steps
#      on the 1M-node R-MAT graph, established and candidate kernels (a table in checks.log);
#   4. the vitest tests whose names mention CUDA (reliability, synchronize, layers on CUDA, CUDA
#      Graph steps, sampled batches staged through the copy stream);
#   5. bench/gnn.bench.mjs --device cuda;
#   6. bench/compare-cuda.bench.mjs on the largest R-MAT graph (10M nodes, 100M edges), with
#      what is left of the budget.
# Prepare on your own machine with `bash bench/gpu/prepare.sh`, then on the GPU machine, from the
# project root, with .device/ carried along:
#   bash bench/gpu/run-gpu-checks.sh
# Writes to $OUT (7 files): summary.json (each step's status, seconds and limit), checks.log (every
# step's output), gpu-build.log, cuda-native-tests.log, vitest-cuda.json, compare-cuda.json,
# compare-cuda-largest.json, gnn-cuda.json.
# Environment: GPU_CHECKS_BUDGET_S (default 540) the whole run's seconds; GPU_CHECKS_SKIP_BUILD=1
# uses the addon already in build/; GPU_CHECKS_DEVICE=cpu runs the benchmarks on the CPU and
# GPU_CHECKS_SCALE="NODES EDGES" and GPU_CHECKS_LARGEST="NODES EDGES" size the 1M-node graphs
# and the largest one (all three for a dry run of this script without a GPU).
set -uo pipefail
cd "$(dirname "$0")/../.."
export OUT=${OUT:-/tmp/gpu-checks}
mkdir -p "$OUT"
T0=$(date +%s)
BUDGET=${GPU_CHECKS_BUDGET_S:-540}
DEVICE=${GPU_CHECKS_DEVICE:-cuda}
read -r LARGEST_N LARGEST_E <<<"${GPU_CHECKS_LARGEST:-10000000 100000000}"
read -r SCALE_N SCALE_E <<<"${GPU_CHECKS_SCALE:-1000000 10000000}"
LOG=$OUT/checks.log
: >"$LOG"
STEPS=()

elapsed() { echo $(($(date +%s) - T0)); }
# The limit of a step: its cap, or what is left of the budget less a margin, whichever is less.
limit() {
  local left=$((BUDGET - $(elapsed) - 10))
  echo $(($1 < left ? $1 : left))
}
summary() {
  local IFS=,
  printf '{"budget_s":%s,"elapsed_s":%s,"device":"%s","steps":[%s]}\n' "$BUDGET" "$(elapsed)" "$DEVICE" "${STEPS[*]}" >"$OUT/summary.json"
}
# step NAME LIMIT COMMAND...: runs COMMAND under `timeout LIMIT` (its process group is killed at
# the limit), appends its output to checks.log, records its status.
step() {
  local name=$1 t=$2
  shift 2
  if ((t < 15)); then
    echo "== $name: not run (budget spent at $(elapsed) s)" >>"$LOG"
    STEPS+=("{\"step\":\"$name\",\"status\":\"not run: budget spent\"}")
    summary
    return 1
  fi
  echo "== $name (limit ${t} s, at $(elapsed) s): $*" >>"$LOG"
  local s rc status
  s=$(date +%s)
  timeout --kill-after=10 "$t" "$@" >>"$LOG" 2>&1
  rc=$?
  case $rc in
    0) status=ok ;;
    124 | 137) status="timed out" ;;
    *) status="exit $rc" ;;
  esac
  echo "== $name: $status in $(($(date +%s) - s)) s" >>"$LOG"
  STEPS+=("{\"step\":\"$name\",\"status\":\"$status\",\"seconds\":$(($(date +%s) - s)),\"limit_s\":$t}")
  summary
  return $rc
}

# 1. Build. A `build` symlink is the developer machine's build folder; here the addon is built anew.
if [[ ${GPU_CHECKS_SKIP_BUILD:-0} != 1 ]]; then
  [[ -L build ]] && rm build
  if ! step build "$(limit 240)" bash .device/on-gpu.sh; then
    tail -40 "$LOG"
    exit 1
  fi
  export PATH=/tmp/node/bin:$PATH
  # vitest and what it loads (bench/gpu/prepare.sh packs them; the kit has production modules only).
  [[ -f .device/test_modules.tar.xz ]] && tar -xJf .device/test_modules.tar.xz
fi
export NODE_OPTIONS="--max-old-space-size=32768 ${NODE_OPTIONS:-}"
{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 || true
  node -e "import('./dist/esm/index.js').then(F => console.log(JSON.stringify(F.devices().cuda)))" 2>&1
} >>"$LOG"

# A Python that imports torch (and, when it can, torch_geometric) for the reference sides.
PY=""
for p in ${FATHOM_BENCH_PYTHON:-} python3 python /usr/bin/python3 /opt/conda/bin/python; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import torch' >/dev/null 2>&1; then
    PY=$(command -v "$p")
    break
  fi
done
echo "python for the reference: ${PY:-none with torch}; $(${PY:-false} -c 'import torch, sys; print("torch", torch.__version__, "cuda", torch.cuda.is_available()); import torch_geometric as g; print("torch_geometric", g.__version__)' 2>&1 | tr '\n' ' ')" >>"$LOG"
export FATHOM_BENCH_PYTHON=${PY:-python3}

# The largest graph takes a minute or more to generate and export: start it now, in the background.
LARGEST_ARGS=(--graphs rmat-largest --largest-nodes "$LARGEST_N" --largest-edges "$LARGEST_E")
PREP_LOG=$(mktemp /tmp/largest-prepare.XXXXXX)
nice node bench/compare-cuda.bench.mjs --prepare-only "${LARGEST_ARGS[@]}" >"$PREP_LOG" 2>&1 &
PREP_PID=$!

# 2. Native CUDA tests: every kernel against its CPU twin, then captured CUDA graphs against plain replay.
CUDA_TESTS=$(ls build/fathom_cuda_tests build/Release/fathom_cuda_tests 2>/dev/null | head -1)
GRAPH_TESTS=$(ls build/fathom_cuda_graph_tests build/Release/fathom_cuda_graph_tests 2>/dev/null | head -1)
if [[ -n $CUDA_TESTS ]]; then
  step cuda-native-tests "$(limit 120)" bash -c "'$CUDA_TESTS' >'$OUT/cuda-native-tests.log' 2>&1; rc=\$?; ${GRAPH_TESTS:+'$GRAPH_TESTS' >>'$OUT/cuda-native-tests.log' 2>&1 || rc=1;} tail -8 '$OUT/cuda-native-tests.log'; exit \$rc"
else
  echo "== cuda-native-tests: no build/fathom_cuda_tests (built without CUDA?)" >>"$LOG"
  STEPS+=('{"step":"cuda-native-tests","status":"not built"}')
fi

# 3. Side by side on Cora and the 1M-node graphs.
t=$(limit 260)
step compare-cuda "$t" node bench/compare-cuda.bench.mjs --device "$DEVICE" --sides fathom,fathom-new,torch,pyg --no-largest --nodes "$SCALE_N" --edges "$SCALE_E" --python "$FATHOM_BENCH_PYTHON" \
  --deadline-s $((t > 60 ? t - 45 : 15)) --child-timeout-s 150 --out "$OUT/compare-cuda.json"

# 3b. Per-kernel GPU time of GAT and GCN steps under Nsight Compute, established and candidate
# kernels, on the 1M-node R-MAT graph (exported by step 3): where the time goes, for the next
# round of kernel work. Its table goes to checks.log.
step profile-kernels "$(limit 90)" node bench/gpu/profile-kernels.mjs --graphs rmat-1m --nodes "$SCALE_N" --edges "$SCALE_E" --timeout-s 40

# 4. The CUDA tests of the vitest suite (CPU tests are CI's).
CUDA_FILES=(test/runtime/synchronize.test.ts test/robustness/deviceReliability.test.ts test/robustness/memoryBudget.test.ts
  test/api/errorKinds.test.ts test/models/deepModels.test.ts test/models/deeperGcn.test.ts test/models/gin.test.ts
  test/nn/appnp.test.ts test/nn/gcn2Conv.test.ts test/nn/genConv.test.ts test/nn/ginConv.test.ts test/nn/sageConv.test.ts
  test/compile/cudaGraph.test.ts test/sampling/cudaBatches.test.ts)
step vitest-cuda "$(limit 150)" node node_modules/vitest/vitest.mjs run "${CUDA_FILES[@]}" -t "CUDA|cuda" \
  --reporter=default --reporter=json --outputFile="$OUT/vitest-cuda.json"

# 5. SpMM and GCN epochs on the GPU, every timer fenced by synchronize.
step gnn-bench "$(limit 75)" node bench/gnn.bench.mjs --device "$DEVICE" --nodes "$SCALE_N" --edges "$SCALE_E" --out "$OUT/gnn-cuda.json"

# 6. The largest graph, with what is left: wait for its export, then the three sides.
while kill -0 "$PREP_PID" 2>/dev/null && (($(elapsed) < BUDGET - 40)); do sleep 2; done
if kill -0 "$PREP_PID" 2>/dev/null; then
  kill -- "$PREP_PID" 2>/dev/null
  { echo "== compare-cuda-largest: not run (the graph's export was not done at $(elapsed) s)"; cat "$PREP_LOG"; } >>"$LOG"
  STEPS+=('{"step":"compare-cuda-largest","status":"not run: export unfinished"}')
else
  cat "$PREP_LOG" >>"$LOG"
  t=$(limit 400)
  step compare-cuda-largest "$t" node bench/compare-cuda.bench.mjs --device "$DEVICE" "${LARGEST_ARGS[@]}" --python "$FATHOM_BENCH_PYTHON" \
    --repeats 3 --warmup 1 --fathom-variants eager --deadline-s $((t > 40 ? t - 30 : 10)) --child-timeout-s $((t > 60 ? t / 2 : 30)) --out "$OUT/compare-cuda-largest.json"
fi
summary
echo "== done in $(elapsed) s" >>"$LOG"
grep -E '^== ' "$LOG"
