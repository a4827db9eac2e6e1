// Where the time of one res+ GENConv layer goes on Cora (hidden 64 by default, f32, CPU):
// each piece of a layer's training step timed alone, forward and backward, plus the whole
// GENBranch. Every piece runs `--reps` times after a warm-up; the median wall time and the mean
// CPU time (user + system of this process) per call are printed. On a shared machine the CPU
// time is the better measure of the work: wall time also counts waiting for a core.
// Usage (after `npm run build:ts` and the native build):
//   OMP_NUM_THREADS=1 node experiments/deep-layers/genconv-timing.mjs [--hidden 64] [--reps 30] [--mlp-layers 1|2]
import {
  add,
  backward,
  datasets,
  dropout,
  GENBranch,
  layerNorm,
  matmul,
  NodeData,
  noGrad,
  Parameter,
  powerAggregate,
  relu,
  setNumThreads,
  softmaxAggregate,
  Tensor,
  tidy,
} from '../../dist/esm/index.js';

const args = { hidden: 64, reps: 30, 'mlp-layers': 2 };
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = Number(process.argv[i + 1]);
const mlpLayers = args['mlp-layers'];
if (process.env.OMP_NUM_THREADS) setNumThreads(Number(process.env.OMP_NUM_THREADS));

const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
const data = NodeData.from(cora, { device: 'cpu' });
const graph = data.graph;
const N = cora.numNodes;
const F = args.hidden;
const op = graph.operator('sum', { dtype: 'f32' });

const rand = (shape, scale = 1) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    v[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return v;
};
const param = (shape, scale = 0.1) => Parameter.fromValues(rand(shape, scale), shape);

/** Median wall ms and mean CPU ms per call of fn (run inside tidy, everything freed each time). */
function time(fn) {
  for (let i = 0; i < 3; i++) tidy(fn);
  const walls = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < args.reps; i++) {
    const t0 = performance.now();
    tidy(fn);
    walls.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  walls.sort((a, b) => a - b);
  return { wall: walls[walls.length >> 1], cpu: (cpu.user + cpu.system) / 1000 / args.reps };
}

const rows = [];
const report = (name, fwd, fwdBwd) => {
  const f = time(fwd);
  const fb = fwdBwd ? time(fwdBwd) : null;
  rows.push({ name, fwdWall: f.wall, fwdCpu: f.cpu, bwdWall: fb ? fb.wall - f.wall : null, bwdCpu: fb ? fb.cpu - f.cpu : null });
};

const xv = rand([N, F]);
const t = param([1], 1);
const seedOf = (shape) => Tensor.from(rand(shape, 1), shape);
const leaf = () => {
  const x = Tensor.from(xv, [N, F]);
  x.requiresGrad = true;
  return x;
};

// softmaxAggregate over the 'sum' operator (the in-edges), no edge features, learnable t.
report(
  `softmaxAggregate [${N}×${F}], ${graph.numEdges} edges`,
  () => noGrad(() => softmaxAggregate(op, Tensor.from(xv, [N, F]), null, t)),
  () => backward(softmaxAggregate(op, leaf(), null, t), seedOf([N, F])),
);

// powerAggregate (DeeperGCN's power mean) over the same operator, learnable p (1.5: not the mean).
const p = Parameter.fromValues(new Float32Array([1.5]), [1]);
report(
  `powerAggregate [${N}×${F}], ${graph.numEdges} edges`,
  () => noGrad(() => powerAggregate(op, Tensor.from(xv, [N, F]), null, p)),
  () => backward(powerAggregate(op, leaf(), null, p), seedOf([N, F])),
);

// The update's GEMMs: two (Linear F → 2F → F with a ReLU between) or one (Linear F → F).
const w1 = param([2 * F, F]);
const w2 = param([F, 2 * F]);
const w = param([F, F]);
if (mlpLayers === 2) {
  report(
    `MLP GEMMs ${N}×${F} → ${2 * F} → ${F} (+ ReLU)`,
    () => noGrad(() => matmul(relu(matmul(Tensor.from(xv, [N, F]), w1, { transB: true })), w2, { transB: true })),
    () => backward(matmul(relu(matmul(leaf(), w1, { transB: true })), w2, { transB: true }), seedOf([N, F])),
  );
} else {
  report(
    `update GEMM ${N}×${F} → ${F}`,
    () => noGrad(() => matmul(Tensor.from(xv, [N, F]), w, { transB: true })),
    () => backward(matmul(leaf(), w, { transB: true }), seedOf([N, F])),
  );
}

const g = Parameter.fromValues(new Float32Array(F).fill(1), [F]);
const b = Parameter.fromValues(new Float32Array(F), [F]);
report(
  `LayerNorm [${N}×${F}]`,
  () => noGrad(() => layerNorm(Tensor.from(xv, [N, F]), g, b)),
  () => backward(layerNorm(leaf(), g, b), seedOf([N, F])),
);

report(
  `ReLU + dropout 0.5 + residual add [${N}×${F}]`,
  () => noGrad(() => add(Tensor.from(xv, [N, F]), dropout(relu(Tensor.from(xv, [N, F])), 0.5, { seed: 1, training: true }))),
  () => {
    const x = leaf();
    backward(add(x, dropout(relu(x), 0.5, { seed: 1, training: true })), seedOf([N, F]));
  },
);

// The whole pre-activation branch as a res+ layer runs it (LayerNorm → ReLU → dropout → GENConv).
const branch = new GENBranch(F, { dropout: 0.5, mlpLayers, seed: 0 });
report(
  `GENBranch (whole layer, ${mlpLayers} MLP layer${mlpLayers > 1 ? 's' : ''}) [${N}×${F}]`,
  () => noGrad(() => branch.forward(Tensor.from(xv, [N, F]), graph, { dropoutSeed: 3 })),
  () => {
    backward(branch.forward(leaf(), graph, { dropoutSeed: 3 }), seedOf([N, F]));
    for (const p of branch.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  },
);

console.log(
  `N ${N}, hidden ${F}, edges ${graph.numEdges}, ${mlpLayers} MLP layer(s), ${args.reps} reps, OMP_NUM_THREADS=${process.env.OMP_NUM_THREADS ?? '(unset)'}\n`,
);
console.log('| piece | forward ms (wall, median) | forward ms (CPU) | backward ms (wall) | backward ms (CPU) |');
console.log('|---|---|---|---|---|');
const f2 = (v) => (v === null ? '–' : v.toFixed(2));
for (const r of rows) console.log(`| ${r.name} | ${f2(r.fwdWall)} | ${f2(r.fwdCpu)} | ${f2(r.bwdWall)} | ${f2(r.bwdCpu)} |`);
branch.dispose();
data.dispose();
