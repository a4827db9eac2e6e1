// Memory at depth: peak RSS and step time of deep res-gcn models (hidden 64), each run in its own
// child process for a few training steps (forward, masked NLL, backward, Adam), against two
// targets:
//   A. 1000 reversible blocks on Cora            peak RSS ≤ 2 GB
//   B. 128 blocks (fixup, the default) on a generated graph of 100k nodes, 1M edges, 64 features
//                                                peak RSS ≤ 8 GB
// plus the PyTorch reference's fixup stack on graph B at depths 16, 32, 64 (and 128 unless
// --no-torch-128), a least-squares line peak = a + b·L through the measured depths, and that
// line's value at 128 when the 128 run was not made or did not fit (labelled extrapolated).
// Fathom also runs at 16/32/64 on graph B, so its per-block growth is measured, not guessed.
// With --checkpoint-every K1,K2 it adds C: the fixup stack of B at 128 blocks with activation
// checkpointing in segments of each K, next to the same stack without (--targets picks which of
// A, B, C run; C alone reruns only the plain 128-block row it compares against).
// With --device cuda Fathom's children train on the GPU (each timer fenced by synchronize('cuda'));
// a row's tensor_mb.step_peak is then the device's peak tensor bytes, and the PyTorch rows are not
// run (its GPU side is compare-cuda.bench.mjs).
// Writes bench/results/depth-memory-<device>.json (or --out).
//   node bench/depth-memory.bench.mjs [--device cpu|cuda] [--threads 2] [--steps 3] [--warmup 1] [--max-rss-gb 16] [--no-torch]
//        [--no-torch-128] [--residuals fixup,reversible] [--targets A,B,C] [--checkpoint-every 8,16] [--quick]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import * as F from '../dist/esm/index.js';
import { DEFAULT_PYTHON, idleBaselines, runChild } from './lib/children.mjs';
import { prepareGraph } from './lib/graphs.mjs';
import { deviceSync, machine, median } from './timing.mjs';

/**
 * One child's run: what it measured, or why it did not finish.
 * @typedef {{
 *   side: 'fathom' | 'torch'; graph: 'cora' | 'graph-b'; depth: number; residual: string; checkpoint_every: number | null;
 *   peak_rss_mb: number | null; step_ms_median: number | null; times_ms: number[] | null;
 *   tensor_mb: { before_step: number; after_forward: number; step_peak: number } | null;
 *   loss_first: number | null; loss_last: number | null; error: string | null; exceeded_rss_mb: number | null; max_rss_seen_mb: number | null;
 * }} Row
 */
/** @typedef {{ intercept_mb: number; mb_per_block: number; depths: number[] }} Line */
/**
 * @typedef {{
 *   A?: { what: string; limit_mb: number; peak_rss_mb: number | null; met: boolean; step_ms_median: number | null };
 *   B?: {
 *     what: string; limit_mb: number;
 *     by_residual: Record<string, { peak_rss_mb: number | null; step_ms_median: number | null; error: string | null; met: boolean; growth: Line | null; mb_per_block_per_node_x_hidden: number | null }>;
 *   };
 *   C?: {
 *     what: string;
 *     plain: { peak_rss_mb: number | null; step_ms_median: number | null; step_peak_tensor_mb: number | null };
 *     checkpointed: {
 *       k: number | null; peak_rss_mb: number | null; step_ms_median: number | null; step_peak_tensor_mb: number | null; error: string | null;
 *       rss_ratio: number | null; step_ratio: number | null; same_losses: boolean;
 *     }[];
 *   };
 * }} Targets
 */
/**
 * @typedef {{ skipped: string; growth?: undefined } | {
 *   skipped?: undefined; growth: Line | null; measured_at_depth_b: number | null; depth_b_error: string | null; extrapolated_at_depth_b_mb: number | null; note: string;
 * }} TorchSummary
 */

const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    steps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    'max-rss-gb': { type: 'string', default: '16' },
    python: { type: 'string', default: DEFAULT_PYTHON },
    device: { type: 'string', default: 'cpu' },
    'no-torch': { type: 'boolean', default: false },
    'no-torch-128': { type: 'boolean', default: false },
    residuals: { type: 'string', default: 'fixup,reversible' },
    // Depths below 128 run on graph B for the per-block growth line; reversible stacks need
    // fewer (their activation memory does not grow with depth, which one point plus 128 shows).
    'ladder-fixup': { type: 'string', default: '16,32,64' },
    'ladder-reversible': { type: 'string', default: '16' },
    'torch-ladder': { type: 'string', default: '16,32,64' },
    // Activation checkpointing segment lengths for target C (empty: C is not run).
    'checkpoint-every': { type: 'string', default: '' },
    targets: { type: 'string', default: 'A,B,C' },
    // Small sizes for a smoke run: Cora at depth 20 and a 2k-node graph.
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const threads = Number(args.threads);
const device = /** @type {F.Device} */ (args.device);
if (device !== 'cpu' && device !== 'cuda') throw new RangeError(`depth-memory.bench: --device must be cpu or cuda, got '${args.device}'`);
if (device === 'cuda') F.resolveDevice('cuda'); // says why when there is no usable GPU
const steps = Number(args.steps);
const maxRssMb = Number(args['max-rss-gb']) * 1024;
const quick = args.quick;
const GB = 1024;

const cora = prepareGraph(F, { dataset: 'cora' });
const bigSpec = quick
  ? { nodes: 2000, edges: 20000, features: 64, classes: 16, seed: 2 }
  : { nodes: 100000, edges: 1000000, features: 64, classes: 16, seed: 2 };
const big = prepareGraph(F, { rmat: bigSpec });
const depthA = quick ? 20 : 1000;
const depthB = quick ? 8 : 128;
/** @param {string} key */
const ladderOf = (key) => {
  const ladder = /** @type {Record<string, unknown>} */ (args)[key];
  return quick ? [2, 4] : (typeof ladder === 'string' ? ladder : args['ladder-fixup']).split(',').filter(Boolean).map(Number);
};
const targets = new Set(args.targets.split(','));
const checkpointKs = args['checkpoint-every'].split(',').filter(Boolean).map(Number);

/**
 * @type {{
 *   machine: ReturnType<typeof machine>; method: string; device: string; synchronized: boolean; sync_method: string;
 *   idle_rss_mb: ReturnType<typeof idleBaselines>; graph_b: object;
 *   runs: Row[]; targets: Targets; torch?: TorchSummary;
 * }}
 */
const results = {
  machine: machine(threads),
  method: `each run is one child process: load the graph, build the model, ${args.warmup} warm-up step(s) + ${steps} timed step(s); peak RSS = getrusage maxrss of the child (nothing subtracted)`,
  device,
  synchronized: true,
  sync_method: deviceSync(F, device).sync_method,
  idle_rss_mb: idleBaselines({ python: args.python }),
  graph_b: { ...bigSpec, generator: 'rmatGraph' },
  runs: [],
  targets: {},
};

/**
 * @param {'fathom' | 'torch'} side
 * @param {string} graph
 * @param {number} depth
 * @param {string} residual
 * @param {number} [checkpointEvery]
 * @returns {Promise<Row>}
 */
async function run(side, graph, depth, residual, checkpointEvery) {
  const params = {
    case: 'resgcn',
    graph,
    depth,
    hidden: 64,
    residual: side === 'fathom' ? residual : undefined,
    device: side === 'fathom' ? device : undefined,
    repeats: steps,
    warmup: Number(args.warmup),
    threads,
    'checkpoint-every': checkpointEvery,
  };
  const out = await runChild(side, params, { python: args.python, maxRssMb });
  /** @type {Row} */
  const row = {
    side,
    graph: graph === cora ? 'cora' : 'graph-b',
    depth,
    residual,
    checkpoint_every: checkpointEvery ?? null,
    peak_rss_mb: out.peak_rss_mb ?? null,
    step_ms_median: out.times_ms ? median(out.times_ms) : null,
    times_ms: out.times_ms ?? null,
    tensor_mb: out.tensor_mb ?? null,
    loss_first: out.loss_first ?? null,
    loss_last: out.loss_last ?? null,
    error: out.error ?? out.skipped ?? null,
    exceeded_rss_mb: out.exceeded_rss_mb ?? null,
    // Largest RSS the watchdog saw (every 100 ms): a lower bound on the peak of a run that was killed.
    max_rss_seen_mb: out.max_rss_seen_mb ?? null,
  };
  results.runs.push(row);
  const what = row.error
    ? `${row.error}; RSS seen ${((row.max_rss_seen_mb ?? 0) / GB).toFixed(2)} GB`
    : `peak RSS ${((row.peak_rss_mb ?? 0) / GB).toFixed(2)} GB, step ${row.step_ms_median?.toFixed(0)} ms`;
  console.error(
    `${side.padEnd(6)} ${row.graph.padEnd(7)} depth ${String(depth).padStart(4)} ${residual.padEnd(10)}${checkpointEvery ? ` k=${checkpointEvery}` : ''} ${what}`,
  );
  return row;
}

/**
 * Least-squares line peak = a + b·depth through the rows that finished.
 * @param {Row[]} rows
 * @returns {Line | null}
 */
function fitLine(rows) {
  const pts = rows.flatMap((r) => (r.peak_rss_mb === null ? [] : [{ depth: r.depth, peak_rss_mb: r.peak_rss_mb }]));
  if (pts.length < 2) return null;
  const n = pts.length;
  const mx = pts.reduce((s, r) => s + r.depth, 0) / n;
  const my = pts.reduce((s, r) => s + r.peak_rss_mb, 0) / n;
  const b = pts.reduce((s, r) => s + (r.depth - mx) * (r.peak_rss_mb - my), 0) / pts.reduce((s, r) => s + (r.depth - mx) ** 2, 0);
  return { intercept_mb: my - b * mx, mb_per_block: b, depths: pts.map((r) => r.depth) };
}

// Target A: reversible blocks at depth 1000 on Cora.
if (targets.has('A')) {
  const a = await run('fathom', cora, depthA, 'reversible');
  results.targets.A = {
    what: `res-gcn ${depthA} reversible blocks, hidden 64, Cora`,
    limit_mb: 2 * GB,
    peak_rss_mb: a.peak_rss_mb,
    met: a.peak_rss_mb !== null && a.peak_rss_mb <= 2 * GB,
    step_ms_median: a.step_ms_median,
  };
}

// Target B: 128 blocks on graph B, for every residual asked for; the per-block growth ladder first.
const residuals = targets.has('B') ? args.residuals.split(',') : [];
/** @type {NonNullable<Targets['B']>['by_residual']} */
const byResidual = {};
if (targets.has('B'))
  results.targets.B = {
    what: `res-gcn ${depthB} blocks, hidden 64, graph ${bigSpec.nodes} nodes / ${bigSpec.edges} edges / 64 features`,
    limit_mb: 8 * GB,
    by_residual: byResidual,
  };
for (const residual of residuals) {
  const rows = [];
  for (const d of ladderOf(`ladder-${residual}`)) rows.push(await run('fathom', big, d, residual));
  rows.push(await run('fathom', big, depthB, residual));
  const top = rows[rows.length - 1];
  const line = fitLine(rows);
  byResidual[residual] = {
    peak_rss_mb: top.peak_rss_mb,
    step_ms_median: top.step_ms_median,
    error: top.error,
    met: top.peak_rss_mb !== null && top.peak_rss_mb <= 8 * GB,
    growth: line,
    mb_per_block_per_node_x_hidden: line ? (line.mb_per_block * 2 ** 20) / (bigSpec.nodes * 64 * 4) : null,
  };
}

// Target C: activation checkpointing of the fixup stack at depth B, against the same stack without.
if (targets.has('C') && checkpointKs.length) {
  const plain =
    results.runs.find((r) => r.graph === 'graph-b' && r.depth === depthB && r.residual === 'fixup' && r.checkpoint_every === null) ??
    (await run('fathom', big, depthB, 'fixup'));
  const rows = [];
  for (const k of checkpointKs) rows.push(await run('fathom', big, depthB, 'fixup', k));
  results.targets.C = {
    what: `res-gcn ${depthB} fixup blocks, hidden 64, graph B, activation checkpointing every k blocks against none`,
    plain: { peak_rss_mb: plain.peak_rss_mb, step_ms_median: plain.step_ms_median, step_peak_tensor_mb: plain.tensor_mb?.step_peak ?? null },
    checkpointed: rows.map((r) => ({
      k: r.checkpoint_every,
      peak_rss_mb: r.peak_rss_mb,
      step_ms_median: r.step_ms_median,
      step_peak_tensor_mb: r.tensor_mb?.step_peak ?? null,
      error: r.error,
      rss_ratio: r.peak_rss_mb && plain.peak_rss_mb ? r.peak_rss_mb / plain.peak_rss_mb : null,
      step_ratio: r.step_ms_median && plain.step_ms_median ? r.step_ms_median / plain.step_ms_median : null,
      same_losses: r.loss_first === plain.loss_first && r.loss_last === plain.loss_last,
    })),
  };
}

// The PyTorch reference on graph B (fixup).
if (!args['no-torch'] && device === 'cpu') {
  const rows = [];
  for (const d of ladderOf('torch-ladder')) rows.push(await run('torch', big, d, 'fixup'));
  if (rows.every((r) => r.error?.includes('not installed'))) {
    results.torch = { skipped: rows[0].error ?? 'torch not installed' };
  } else {
    const line = fitLine(rows);
    const top = args['no-torch-128'] ? null : await run('torch', big, depthB, 'fixup');
    results.torch = {
      growth: line,
      measured_at_depth_b: top?.peak_rss_mb ?? null,
      depth_b_error: top?.error ?? null,
      extrapolated_at_depth_b_mb: line ? line.intercept_mb + line.mb_per_block * depthB : null,
      note: 'extrapolated_at_depth_b_mb is a straight line through the smaller depths, not a measurement',
    };
  }
}

// Table.
const f = (/** @type {unknown} */ v, d = 2) => (typeof v === 'number' ? v.toFixed(d) : '—');
/** MB as GB, null when there is no figure. */
const gb = (/** @type {number | null | undefined} */ mb) => (typeof mb === 'number' ? mb / GB : null);
console.log('side    graph    depth  residual    peak RSS GB  step ms');
for (const r of results.runs)
  console.log(
    `${r.side.padEnd(7)} ${r.graph.padEnd(8)} ${String(r.depth).padStart(5)}  ${(r.residual + (r.checkpoint_every ? ` k=${r.checkpoint_every}` : '')).padEnd(10)}  ${f(gb(r.peak_rss_mb)).padStart(11)}  ${r.error ? r.error.slice(0, 50) : f(r.step_ms_median, 0)}`,
  );
if (results.targets.A) console.log(`target A (≤ 2 GB): ${results.targets.A.met ? 'met' : 'NOT met'} (${f(gb(results.targets.A.peak_rss_mb))} GB)`);
for (const [res, t] of Object.entries(results.targets.B?.by_residual ?? {})) {
  console.log(
    `target B (≤ 8 GB), ${res}: ${t.met ? 'met' : 'NOT met'} (${t.peak_rss_mb === null ? t.error : `${f(t.peak_rss_mb / GB)} GB`}); growth ${f(t.growth?.mb_per_block, 1)} MB per block`,
  );
}
for (const c of results.targets.C?.checkpointed ?? []) {
  console.log(
    `C, k = ${c.k}: peak RSS ${f(gb(c.peak_rss_mb))} GB vs ${f(gb(results.targets.C?.plain.peak_rss_mb))} GB without (×${f(c.rss_ratio)}), step ×${f(c.step_ratio)}, same losses: ${c.same_losses}`,
  );
}
if (results.torch?.growth) {
  const t = results.torch;
  console.log(
    `PyTorch fixup on graph B: ${f(t.growth?.mb_per_block, 1)} MB per block; depth ${depthB}: ${t.measured_at_depth_b !== null ? `measured ${f(gb(t.measured_at_depth_b))} GB` : `${t.depth_b_error ?? 'not run'}; extrapolated ${f(gb(t.extrapolated_at_depth_b_mb))} GB`}`,
  );
}

const out = args.out ?? join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'results', `depth-memory-${device}.json`);
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.error(`wrote ${out}`);
