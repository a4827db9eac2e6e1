// Fathom against PyTorch Geometric and the plain-PyTorch mirror of Fathom's models on the GPU, in
// one run, on identical graphs (exported once to .npy by bench/lib/graphs.mjs). For each graph,
// one child process per side runs every case (bench/lib/fathom-case.mjs for Fathom,
// bench/reference/gpu_cases.py --impl torch|pyg), the order of the sides rotating from graph to
// graph. Every timer is fenced by the device's synchronize (Fathom's synchronize('cuda'),
// torch.cuda.synchronize()); memory is the peak of tensor bytes on the device (Fathom's
// memory().cuda.peakBytes, torch.cuda.max_memory_allocated()), reset per case or per step.
// Ratios are Fathom over the other side, from this run. JSON to bench/results/compare-cuda.json.
//   node bench/compare-cuda.bench.mjs [--device cuda|cpu] [--graphs cora,uniform-1m,rmat-1m,rmat-largest]
//        [--cases spmm:64,spmm:128,gcn,gat,resgcn] [--largest-cases spmm:64,spmm:128,gcn,gat] [--sides fathom,torch,pyg[,fathom-new]]
//        [--new-cases spmm:64,spmm:128,gcn,gat]
//        [--repeats 5] [--warmup 2] [--nodes 1000000] [--edges 10000000] [--largest-nodes 10000000]
//        [--largest-edges 100000000] [--no-largest] [--fathom-variants eager,fit] [--depth 64] [--child-timeout-s 300] [--deadline-s 0] [--out FILE]
// --device cpu runs the same children on the CPU (a smoke run of both sides; times are not the point).
// --deadline-s N: no child starts after N seconds; what did not run says so in the JSON.
// --sides …,fathom-new: Fathom again with the candidate CUDA kernels that are still off by default
// (native/cuda/variants.h: FATHOM_CUDA_GAT=per-node, FATHOM_CUDA_SPMM=row-cached, and both with
// long rows split, FATHOM_CUDA_SPLIT_ROWS=1: only R-MAT's rows are long enough), on the cases of
// --new-cases only; the JSON then has time_ratio_new_over_fathom per case (below 1: the candidate
// kernels are faster).
// --prepare-only: export the selected graphs (bench/.cache/graphs, or $FATHOM_BENCH_CACHE) and stop.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import * as F from '../dist/esm/index.js';
import { GPU_CASES, runChild } from './lib/children.mjs';
import { generatedSpec, graphKey, prepareGraph } from './lib/graphs.mjs';
import { machine, median } from './timing.mjs';

/** @typedef {import('./lib/children.mjs').ChildResult} ChildResult */
/** @typedef {'fathom' | 'torch' | 'pyg' | 'fathom-new'} SideName */
/**
 * One side's figures of one case, or why there are none.
 * @typedef {{
 *   median_ms?: number; min_ms?: number; times_ms?: number[]; device_peak_mb?: number | null; device_mb_at_start?: number | null;
 *   error?: string; [key: string]: unknown;
 * }} SideResult
 */

const { values: args } = parseArgs({
  options: {
    device: { type: 'string', default: 'cuda' },
    graphs: { type: 'string', default: 'cora,uniform-1m,rmat-1m,rmat-largest' },
    cases: { type: 'string', default: 'spmm:64,spmm:128,gcn,gat,resgcn' },
    // 64 fixup blocks hold 64 activations of N x 64 floats and their tape: ~500 GB at 10M nodes.
    'largest-cases': { type: 'string', default: 'spmm:64,spmm:128,gcn,gat' },
    sides: { type: 'string', default: 'fathom,torch,pyg' },
    'new-cases': { type: 'string', default: 'spmm:64,spmm:128,gcn,gat' },
    // Fathom's training steps: a hand-written eager step and/or fit() (compiled); see fathom-case.mjs.
    'fathom-variants': { type: 'string', default: 'eager,fit' },
    repeats: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    nodes: { type: 'string', default: '1000000' },
    edges: { type: 'string', default: '10000000' },
    'largest-nodes': { type: 'string', default: '10000000' },
    'largest-edges': { type: 'string', default: '100000000' },
    'no-largest': { type: 'boolean', default: false },
    depth: { type: 'string', default: '64' },
    hidden: { type: 'string', default: '64' },
    'child-timeout-s': { type: 'string', default: '300' },
    'deadline-s': { type: 'string', default: '0' },
    python: { type: 'string', default: process.env.FATHOM_BENCH_PYTHON ?? 'python3' },
    'prepare-only': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const device = /** @type {F.Device} */ (args.device);
if (device !== 'cpu' && device !== 'cuda') throw new RangeError(`compare-cuda.bench: --device must be cuda or cpu, got '${args.device}'`);
if (device === 'cuda' && !args['prepare-only']) F.resolveDevice('cuda'); // says why when there is no usable GPU
const started = performance.now();
const deadlineMs = Number(args['deadline-s']) * 1000;
const threads = os.cpus().length;

/** @param {number} n */
function fmtCount(n) {
  return n >= 1e6 && n % 1e5 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 100 === 0 ? `${n / 1e3}k` : String(n);
}
const scale = { nodes: Number(args.nodes), edges: Number(args.edges) };
const largest = { nodes: Number(args['largest-nodes']), edges: Number(args['largest-edges']) };
/** @type {Record<string, { label: string; spec: import('./lib/graphs.mjs').GraphSpec; cases: string }>} */
const GRAPHS = {
  cora: { label: 'Cora', spec: { dataset: 'cora' }, cases: args.cases },
  'uniform-1m': {
    label: `uniform ${fmtCount(scale.nodes)}/${fmtCount(scale.edges)}`,
    spec: generatedSpec('uniform', scale.nodes, scale.edges),
    cases: args.cases,
  },
  'rmat-1m': { label: `R-MAT ${fmtCount(scale.nodes)}/${fmtCount(scale.edges)}`, spec: generatedSpec('rmat', scale.nodes, scale.edges), cases: args.cases },
  'rmat-largest': {
    label: `R-MAT ${fmtCount(largest.nodes)}/${fmtCount(largest.edges)}`,
    spec: generatedSpec('rmat', largest.nodes, largest.edges),
    cases: args['largest-cases'],
  },
};
/** @type {Record<string, string>} */
const CASE_LABELS = {
  spmm: 'SpMM Y = P X (gcn operator)',
  gcn: 'GCN 2-layer (hidden 64), train step',
  gat: 'GAT 2-layer 8×8 (v1), train step',
  resgcn: `res-GCN ${args.depth} fixup blocks (hidden 64), train step`,
};

const graphNames = args.graphs.split(',').filter((g) => !(args['no-largest'] && g === 'rmat-largest'));
for (const g of graphNames) if (!GRAPHS[g]) throw new RangeError(`compare-cuda.bench: unknown graph '${g}'; graphs are ${Object.keys(GRAPHS).join(', ')}`);
const sides = /** @type {SideName[]} */ (args.sides.split(','));
for (const s of sides)
  if (!['fathom', 'torch', 'pyg', 'fathom-new'].includes(s))
    throw new RangeError(`compare-cuda.bench: unknown side '${s}'; sides are fathom, torch, pyg, fathom-new`);
/** The environment of the fathom-new side: every candidate kernel of native/cuda/variants.h on. */
const CANDIDATE_KERNELS = { FATHOM_CUDA_GAT: 'per-node', FATHOM_CUDA_SPMM: 'row-cached', FATHOM_CUDA_SPLIT_ROWS: '1' };
const newCases = new Set(args['new-cases'].split(','));

if (args['prepare-only']) {
  for (const name of graphNames) {
    const t0 = performance.now();
    const dir = prepareGraph(F, GRAPHS[name].spec);
    console.error(`${name}: exported in ${((performance.now() - t0) / 1000).toFixed(1)} s to ${dir}`);
  }
  process.exit(0);
}

/** @param {string} code */
function python(code) {
  try {
    return execFileSync(args.python, ['-c', code], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 }).trim();
  } catch {
    return null;
  }
}
const torchVersion = sides.some((s) => !s.startsWith('fathom')) ? python('import torch; print(torch.__version__)') : null;
const pygVersion = sides.includes('pyg') ? python('import torch_geometric; print(torch_geometric.__version__)') : null;
if (sides.some((s) => !s.startsWith('fathom')) && !torchVersion)
  console.error(`compare-cuda.bench: PyTorch not importable by ${args.python}; its sides are skipped`);

const out =
  args.out ??
  join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'results', device === 'cuda' ? 'compare-cuda.json' : 'compare-cuda-cpu-smoke.json');
const build = F.devices();
/**
 * @type {{
 *   machine: object; device: F.Device; gpu: string | null; fathom_build: object; torch: string | null; torch_geometric: string | null; python: string;
 *   method: object; graphs: Record<string, object>; children: object[]; cases: Record<string, object>; finished?: boolean; wall_s?: number; interrupted?: string;
 * }}
 */
const results = {
  machine: { ...machine(threads), load_average_start: os.loadavg().map((v) => +v.toFixed(2)) },
  device,
  gpu: device === 'cuda' ? (build.cuda.devices?.[0]?.name ?? null) : null,
  fathom_build: { cuda: build.cuda.compiled, cublas: build.cuda.cublas ?? null, cublasVersion: build.cuda.cublasVersion ?? null },
  torch: torchVersion,
  torch_geometric: pygVersion,
  python: args.python,
  method: {
    synchronized: true,
    sync_method:
      'Fathom: synchronize(device) before starting and after stopping each timer; PyTorch and PyG: torch.cuda.synchronize() the same way (on the CPU both are no-ops)',
    time: `median over ${args.repeats} timed repeats after ${args.warmup} warm-up ones, one child per side and graph; training cases time one step (forward, masked NLL, backward, Adam lr 0.01, weight decay 5e-4)`,
    memory:
      'device_peak_mb: peak tensor bytes on the device (Fathom memory().cuda.peakBytes after resetPeakMemory; torch.cuda.max_memory_allocated after reset_peak_memory_stats), reset at each training step and at the start of each SpMM case; inputs resident on the device are included (device_mb_at_start says how much was live when the case began)',
    order: 'sides rotate per graph (fathom, torch, pyg; then torch, pyg, fathom; ...)',
    fathom_new: `the fathom-new side, where run: Fathom with ${JSON.stringify(CANDIDATE_KERNELS)} in its environment (candidate kernels, off by default), cases ${args['new-cases']}`,
    fathom: `training steps as ${args['fathom-variants']} (eager: a hand-written step; fit: fit(), its step compiled and replayed natively from the fourth step on, fit's default); with both, the faster is the Fathom figure and both are kept under variants`,
    pyg: 'PyG layers as its users write them (GCNConv cached / on adj_t, GATConv, GCNConv blocks with gcn_norm once); where two paths exist the faster is reported and both are kept under variants',
    numerics:
      'the plain-torch mirror is the reference: SpMM checksums (sum |Y|) of Fathom and PyG are compared with it; training losses differ by initialization (different random streams) and are listed',
  },
  graphs: {},
  children: [],
  cases: {},
};
function save() {
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
}
// A time limit (timeout(1) sends SIGTERM to the process group, children included): keep what
// was measured and say why the rest is missing.
for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
  process.on(signal, () => {
    results.interrupted = `${signal} after ${((performance.now() - started) / 1000).toFixed(0)} s`;
    save();
    console.error(`compare-cuda.bench: ${signal}; wrote what was measured to ${out}`);
    process.exit(128 + (signal === 'SIGTERM' ? 15 : 2));
  });
}

/**
 * Per-case records of one child: from its last line's `cases`, else the lines it printed as
 * each case finished (a child killed by its time limit keeps those).
 * @param {ChildResult} r
 * @returns {Record<string, SideResult>}
 */
function caseRecords(r) {
  /** @type {Record<string, SideResult>} */
  const by = {};
  for (const rec of r.records ?? []) if (typeof rec.case_result === 'string') by[rec.case_result] = /** @type {SideResult} */ (rec);
  if (r.cases && typeof r.cases === 'object') Object.assign(by, r.cases);
  else if (typeof r.case === 'string' && r.times_ms) by[r.case] = /** @type {SideResult} */ (r);
  return by;
}

/**
 * @param {SideResult | undefined} rec
 * @param {string} [childError] why the child ended, when it failed
 * @returns {SideResult}
 */
function sideFigures(rec, childError) {
  if (!rec) return { error: childError ?? 'no record' };
  if (rec.error || !rec.times_ms?.length) return { error: rec.error ?? 'no times' };
  const { case_result: _, ...rest } = rec;
  return { ...rest, median_ms: median(rec.times_ms), min_ms: Math.min(...rec.times_ms) };
}

/**
 * Case summaries of one graph from the sides run so far (called after each side, so a run cut
 * short keeps what it measured).
 * @param {string} name @param {{ label: string; cases: string }} G
 * @param {Record<string, { records: Record<string, SideResult>; error?: string }>} bySide
 */
function summarizeGraph(name, G, bySide) {
  for (const spec of G.cases.split(',')) {
    const [kind, width] = spec.split(':');
    /** @type {Record<string, SideResult | null>} */
    const s = {};
    for (const side of sides) {
      if (side === 'fathom-new' && !newCases.has(spec)) {
        s[side] = null;
        continue;
      }
      const got = bySide[side];
      s[side] = !got || (!got.error && Object.keys(got.records).length === 0) ? null : sideFigures(got.records[spec], got.error);
    }
    const fathom = s.fathom;
    /** @type {Record<string, unknown>} */
    const summary = {
      label: `${CASE_LABELS[kind] ?? kind}${width ? `, F = ${width}` : ''}, ${G.label}`,
      graph: name,
      case: spec,
      ...s,
      time_ratio_fathom_over_torch: ratio(fathom?.median_ms, s.torch?.median_ms),
      time_ratio_fathom_over_pyg: ratio(fathom?.median_ms, s.pyg?.median_ms),
      memory_ratio_fathom_over_torch: ratio(fathom?.device_peak_mb, s.torch?.device_peak_mb),
      memory_ratio_fathom_over_pyg: ratio(fathom?.device_peak_mb, s.pyg?.device_peak_mb),
    };
    if (sides.includes('fathom-new')) summary.time_ratio_new_over_fathom = ratio(s['fathom-new']?.median_ms, fathom?.median_ms);
    // Numerics: the SpMM checksum (sum |Y|) against the plain-torch reference.
    const ref = s.torch?.checksum;
    if (typeof ref === 'number' && ref !== 0) {
      for (const side of ['fathom', 'pyg']) {
        const v = s[side]?.checksum;
        if (typeof v === 'number') summary[`checksum_rel_diff_${side}_vs_torch`] = Math.abs(v - ref) / Math.abs(ref);
      }
    }
    results.cases[`${name}/${spec}`] = summary;
  }
}

/** @param {number | null | undefined} a @param {number | null | undefined} b */
const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null);

for (const [gi, name] of graphNames.entries()) {
  const G = GRAPHS[name];
  if (deadlineMs > 0 && performance.now() - started > deadlineMs) {
    results.graphs[name] = { label: G.label, error: `not run: the ${args['deadline-s']} s deadline was spent` };
    save();
    continue;
  }
  const t0 = performance.now();
  const dir = prepareGraph(F, G.spec);
  const prepare_s = (performance.now() - t0) / 1000;
  console.error(`${name}: graph ready in ${prepare_s.toFixed(1)} s (${dir})`);
  results.graphs[name] = { label: G.label, key: graphKey(G.spec), spec: G.spec, prepare_s };
  const params = {
    case: G.cases,
    graph: dir,
    device,
    repeats: Number(args.repeats),
    warmup: Number(args.warmup),
    threads,
    depth: Number(args.depth),
    hidden: Number(args.hidden),
  };
  /** @type {Record<string, { records: Record<string, SideResult>; error?: string }>} */
  const bySide = {};
  const order = sides.map((_, i) => sides[(i + gi) % sides.length]);
  for (const side of order) {
    const fathomSide = side.startsWith('fathom');
    if (!fathomSide && !torchVersion) {
      results.children.push({ graph: name, side, skipped: `PyTorch not importable by ${args.python}` });
      continue;
    }
    if (deadlineMs > 0 && performance.now() - started > deadlineMs) {
      bySide[side] = { records: {}, error: `not run: the ${args['deadline-s']} s deadline was spent` };
      results.children.push({ graph: name, side, error: bySide[side].error });
      summarizeGraph(name, G, bySide);
      continue;
    }
    // Each case joins the summary as the child prints it: a run stopped mid-child keeps it.
    bySide[side] = { records: {}, error: 'running when the benchmark stopped' };
    const live = bySide[side];
    /** @param {Record<string, unknown>} rec */
    const onRecord = (rec) => {
      if (typeof rec.case_result !== 'string') return;
      live.records[rec.case_result] = /** @type {SideResult} */ (rec);
      summarizeGraph(name, G, bySide);
    };
    const timeoutMs = Number(args['child-timeout-s']) * 1000;
    const candidate = side === 'fathom-new';
    const sideParams = candidate
      ? {
          ...params,
          case: G.cases
            .split(',')
            .filter((c) => newCases.has(c))
            .join(','),
        }
      : params;
    if (candidate && !sideParams.case) continue;
    const r = await runChild(fathomSide ? 'fathom' : side, sideParams, {
      python: args.python,
      script: GPU_CASES,
      extraArgs: fathomSide ? ['--variants', args['fathom-variants']] : ['--impl', side],
      extraEnv: candidate ? CANDIDATE_KERNELS : {},
      timeoutMs,
      onRecord,
    });
    bySide[side] = { records: caseRecords(r), error: r.error ?? (r.skipped ? `skipped: ${r.skipped}` : undefined) };
    const { cases: _c, records: _r, ...head } = r;
    results.children.push({ graph: name, ...head, side });
    console.error(`  ${side.padEnd(6)} ${r.error ?? r.skipped ?? `done in ${((r.wall_ms ?? 0) / 1000).toFixed(1)} s`}`);
    summarizeGraph(name, G, bySide);
    save();
  }
  save();
}
results.finished = true;
results.wall_s = (performance.now() - started) / 1000;

// Table: one row per graph and case.
const f2 = (/** @type {unknown} */ v, d = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');
const withNew = sides.includes('fathom-new');
const rows = [
  ['graph/case', 'Fathom ms', ...(withNew ? ['new ms', 'new/F'] : []), 'torch ms', 'PyG ms', 'F/torch', 'F/PyG', 'Fathom MB', 'torch MB', 'PyG MB', 'notes'],
];
for (const [key, r] of Object.entries(results.cases)) {
  const c = /** @type {Record<string, any>} */ (r);
  const errors = sides
    .filter((side) => c[side]?.error)
    .map((side) => `${side}: ${String(c[side].error).slice(0, 50)}`)
    .join('; ');
  rows.push([
    key,
    f2(c.fathom?.median_ms, 3),
    ...(withNew ? [f2(c['fathom-new']?.median_ms, 3), f2(c.time_ratio_new_over_fathom)] : []),
    f2(c.torch?.median_ms, 3),
    f2(c.pyg?.median_ms, 3),
    f2(c.time_ratio_fathom_over_torch),
    f2(c.time_ratio_fathom_over_pyg),
    f2(c.fathom?.device_peak_mb, 0),
    f2(c.torch?.device_peak_mb, 0),
    f2(c.pyg?.device_peak_mb, 0),
    errors,
  ]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
console.log(rows.map((r) => r.map((v, i) => v.padEnd(widths[i])).join('  ')).join('\n'));
save();
console.error(`wrote ${out} in ${results.wall_s.toFixed(0)} s`);
