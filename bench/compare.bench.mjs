// Fathom against a plain-PyTorch reference (bench/reference/torch_models.py), case by case, on
// identical graphs (exported once by bench/lib/graphs.mjs), with the same thread count. Every
// case runs in child processes, Fathom and PyTorch alternating (F T, T F, ...) for `--rounds`
// rounds of `--repeats` timed steps each, so that load drifts hit both sides alike, and each
// child's peak RSS is its own. SpMM is also set against the bandwidth floor measured by a triad.
// Prints a table; writes JSON to bench/results/compare-cpu.json (or --out).
//   node bench/compare.bench.mjs [--threads 2] [--repeats 5] [--repeats-large 2] [--rounds 2] [--warmup 1]
//        [--cases spmm-rmat,gcn-cora,...] [--nodes 1000000] [--edges 10000000] [--no-torch] [--out FILE]
//        [--max-rss-gb 14]  (a child is killed, and reported as such, past this resident size)
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import * as F from '../dist/esm/index.js';
import { measureBandwidth } from './lib/bandwidth.mjs';
import { DEFAULT_PYTHON, idleBaselines, runChild } from './lib/children.mjs';
import { prepareGraph } from './lib/graphs.mjs';
import { machine, median } from './timing.mjs';

/** @typedef {import('./lib/children.mjs').ChildResult} ChildResult */
/**
 * A case: which graph, which model, and the parameters both sides take.
 * @typedef {{ name: string; label: string; graph: import('./lib/graphs.mjs').GraphSpec; params: { case: string; [key: string]: string | number }; large?: boolean }} Case
 */
/**
 * One side's children of a case, summarized; or why none of them finished.
 * @typedef {{
 *   median_ms: number; min_ms: number; repeats: number; peak_rss_mb: number; peak_rss_mb_by_round: number[]; times_ms: number[];
 *   nnz?: number; features?: number; error?: undefined; [key: string]: unknown;
 * }} SideTimes
 * @typedef {{ error: string; median_ms?: undefined; min_ms?: undefined; peak_rss_mb?: undefined; times_ms?: undefined; nnz?: undefined; features?: undefined }} SideError
 * @typedef {SideTimes | SideError | null} Side
 */
/**
 * SpMM's bandwidth floor: the bytes no kernel can avoid moving, and the time they take at the triad's bandwidth.
 * @typedef {{ bytes: number; triad_gbytes_per_s: number | null; ms_at_triad_bandwidth?: number; fathom_fraction_of_floor?: number; torch_fraction_of_floor?: number }} Floor
 */
/**
 * The same SpMM with the sources folded into the first nodes (see cacheResident).
 * @typedef {{ fold_sources?: number; median_ms?: number; min_ms?: number; times_ms?: number[]; fraction_of_floor?: number; error?: string }} CacheResident
 */
/**
 * @typedef {{
 *   label: string; params: Case['params']; fathom: Side; torch: Side; time_ratio_fathom_over_torch?: number;
 *   peak_rss_ratio_fathom_over_torch?: number; floor?: Floor; cache_resident?: CacheResident | null;
 * }} CaseSummary
 */

const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    repeats: { type: 'string', default: '5' },
    // Timed steps per child of the training cases on the large graph (each step takes seconds).
    'repeats-large': { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '1' },
    cases: { type: 'string' },
    nodes: { type: 'string', default: '1000000' },
    edges: { type: 'string', default: '10000000' },
    'bandwidth-n': { type: 'string', default: '40000000' },
    python: { type: 'string', default: DEFAULT_PYTHON },
    'no-torch': { type: 'boolean', default: false },
    'max-rss-gb': { type: 'string', default: '14' },
    out: { type: 'string' },
  },
});
const threads = Number(args.threads);
const repeats = Number(args.repeats);
const rounds = Number(args.rounds);
const warmup = Number(args.warmup);
const rmat = { nodes: Number(args.nodes), edges: Number(args.edges), features: 64, classes: 16, seed: 1 };
const rmatLabel = `R-MAT ${fmtCount(rmat.nodes)}/${fmtCount(rmat.edges)}`;

/** Every case: which graph, which model, and the parameters both sides take. @type {Case[]} */
const CASES = [
  { name: 'spmm-rmat', label: `SpMM ${rmatLabel}, F = 64`, graph: { rmat }, params: { case: 'spmm', features: 64 } },
  { name: 'gcn-cora', label: 'GCN 2-layer Cora (hidden 64), train step', graph: { dataset: 'cora' }, params: { case: 'gcn', hidden: 64 } },
  { name: 'gcn-tolokers', label: 'GCN 2-layer tolokers (hidden 64), train step', graph: { dataset: 'tolokers' }, params: { case: 'gcn', hidden: 64 } },
  {
    name: 'resgcn64-cora',
    label: 'res-gcn 64 blocks Cora (hidden 64, fixup), train step',
    graph: { dataset: 'cora' },
    params: { case: 'resgcn', depth: 64, hidden: 64 },
  },
  { name: 'gat-cora', label: 'GAT 2-layer 8×8 Cora (v1), train step', graph: { dataset: 'cora' }, params: { case: 'gat' } },
  { name: 'gat-rmat', label: `GAT 2-layer 8×8 ${rmatLabel} (v1), train step`, graph: { rmat }, params: { case: 'gat' }, large: true },
];

/** @param {number} n */
function fmtCount(n) {
  return n >= 1e6 && n % 1e5 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 100 === 0 ? `${n / 1e3}k` : String(n);
}

// --cases picks cases and their order.
const cases = args.cases ? args.cases.split(',').map((w) => CASES.find((c) => c.name === w) ?? unknownCase(w)) : CASES;
/**
 * @param {string} w
 * @returns {never}
 */
function unknownCase(w) {
  throw new RangeError(`compare.bench: unknown case '${w}'; cases are ${CASES.map((c) => c.name).join(', ')}`);
}

function torchVersion() {
  try {
    return execFileSync(args.python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function loadAverage() {
  return os.loadavg().map((v) => +v.toFixed(2));
}

const torch = args['no-torch'] ? null : torchVersion();
if (!args['no-torch'] && !torch) console.error(`compare.bench: PyTorch not found for ${args.python}; running Fathom only (apt-get install -y python3-torch)`);
/** @type {('fathom' | 'torch')[]} */
const sides = torch ? ['fathom', 'torch'] : ['fathom'];

/**
 * @type {{
 *   machine: ReturnType<typeof machine> & { torch: string | null; python: string | null; load_average_start: number[]; load_average_end?: number[] };
 *   method: object; idle_rss_mb: ReturnType<typeof idleBaselines>;
 *   bandwidth: ReturnType<typeof measureBandwidth> | null; cases: Record<string, CaseSummary>;
 * }}
 */
const results = {
  machine: { ...machine(threads), torch, python: torch ? args.python : null, load_average_start: loadAverage() },
  method: {
    repeats_per_child: repeats,
    repeats_per_child_large_graph_training: Number(args['repeats-large']),
    warmup_per_child: warmup,
    rounds,
    order: 'each round runs one Fathom and one PyTorch child, alternating which goes first',
    time: 'median over all timed repeats of all rounds; training cases time one step (forward, masked NLL, backward, Adam)',
    memory: 'peak RSS (getrusage maxrss) of the child process, nothing subtracted; the largest over rounds',
    synchronized: true,
    sync_method:
      'CPU only: every op finishes before it returns (fathom-case.mjs fences each timer with synchronize("cpu"), a no-op); on the GPU use compare-cuda.bench.mjs',
  },
  idle_rss_mb: idleBaselines({ python: args.python }),
  bandwidth: null,
  cases: {},
};

// Written after every case too, so a run cut short keeps what it measured.
const out = args.out ?? join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'results', 'compare-cpu.json');
function save() {
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
}

const spmmSelected = cases.some((c) => c.params.case === 'spmm');
if (spmmSelected) {
  const bandwidth = measureBandwidth({ threads, n: Number(args['bandwidth-n']) });
  results.bandwidth = bandwidth;
  console.error(`triad bandwidth (${threads} threads): ${'error' in bandwidth ? bandwidth.error : bandwidth.gbytes_per_s} GB/s`);
}

for (const c of cases) {
  const t0 = performance.now();
  const dir = prepareGraph(F, c.graph);
  console.error(`${c.name}: graph ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (${dir})`);
  const params = { ...c.params, graph: dir, repeats: c.large ? Number(args['repeats-large']) : repeats, warmup, threads };
  /** @type {Record<'fathom' | 'torch', ChildResult[]>} */
  const runs = { fathom: [], torch: [] };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const out = await runChild(side, params, { python: args.python, maxRssMb: Number(args['max-rss-gb']) * 1024 });
      runs[side].push(out);
      const msg = out.error ?? out.skipped ?? `median ${median(out.times_ms ?? []).toFixed(2)} ms, peak RSS ${out.peak_rss_mb?.toFixed(0)} MB`;
      console.error(`  round ${r + 1} ${side.padEnd(6)} ${msg}`);
    }
  }
  const summary = summarize(c, runs);
  results.cases[c.name] = summary;
  if (c.params.case === 'spmm') summary.cache_resident = await cacheResident(params, summary.floor);
  save();
}

// The same SpMM with every source folded into the first 16 384 nodes (4 MB of X at F = 64,
// resident in the L3): same rows, same nonzero counts, same arithmetic, no gather misses to
// DRAM. Its time is what the kernel needs when memory bandwidth is never the limit.
/**
 * @param {import('./lib/children.mjs').CaseParams} params
 * @param {Floor | undefined} floor
 * @returns {Promise<CacheResident | null>}
 */
async function cacheResident(params, floor) {
  const fold = 16384;
  const list = [];
  for (let r = 0; r < rounds; r++) {
    list.push(await runChild('fathom', { ...params, 'fold-sources': fold }, { maxRssMb: Number(args['max-rss-gb']) * 1024 }));
  }
  const s = sideSummary(list);
  if (!s?.median_ms) return s;
  console.error(`  cache-resident (sources mod ${fold}): median ${s.median_ms.toFixed(2)} ms`);
  /** @type {CacheResident} */
  const out = { fold_sources: fold, median_ms: s.median_ms, min_ms: s.min_ms, times_ms: s.times_ms };
  if (floor?.ms_at_triad_bandwidth) out.fraction_of_floor = floor.ms_at_triad_bandwidth / s.median_ms;
  return out;
}
results.machine.load_average_end = loadAverage();

/**
 * @param {ChildResult} o
 * @returns {o is ChildResult & { times_ms: number[]; peak_rss_mb: number }}
 */
function finished(o) {
  return o.times_ms !== undefined;
}

/**
 * @param {ChildResult[]} list
 * @returns {Side}
 */
function sideSummary(list) {
  const ok = list.filter(finished);
  if (ok.length === 0) return list.length ? { error: list.map((o) => o.error ?? o.skipped).join('; ') } : null;
  const times = ok.flatMap((o) => o.times_ms);
  /** @type {SideTimes} */
  const s = {
    median_ms: median(times),
    min_ms: Math.min(...times),
    repeats: times.length,
    peak_rss_mb: Math.max(...ok.map((o) => o.peak_rss_mb)),
    peak_rss_mb_by_round: ok.map((o) => +o.peak_rss_mb.toFixed(1)),
    times_ms: times,
  };
  for (const k of ['nnz', 'features', 'checksum', 'loss_first', 'loss_last', 'parameters', 'sparse_format', 'times_ms_by_format'])
    if (ok[0][k] !== undefined) s[k] = ok[0][k];
  return s;
}

/**
 * @param {Case} c
 * @param {Record<'fathom' | 'torch', ChildResult[]>} runs
 * @returns {CaseSummary}
 */
function summarize(c, runs) {
  const fathom = sideSummary(runs.fathom);
  const ref = sideSummary(runs.torch);
  /** @type {CaseSummary} */
  const out = { label: c.label, params: c.params, fathom, torch: ref };
  if (fathom?.median_ms && ref?.median_ms) {
    out.time_ratio_fathom_over_torch = fathom.median_ms / ref.median_ms;
    out.peak_rss_ratio_fathom_over_torch = fathom.peak_rss_mb / ref.peak_rss_mb;
  }
  const n = runs.fathom[0]?.nodes;
  if (c.params.case === 'spmm' && fathom?.nnz && fathom.features !== undefined && n !== undefined) {
    const f = fathom.features;
    // CSR (rowptr, col, values) once, X read once, Y written once: what no kernel can avoid.
    const floorBytes = (n + 1) * 4 + fathom.nnz * 8 + 2 * n * f * 4;
    const bw = results.bandwidth && !('error' in results.bandwidth) ? results.bandwidth.gbytes_per_s : undefined;
    out.floor = { bytes: floorBytes, triad_gbytes_per_s: bw ?? null };
    if (bw) {
      out.floor.ms_at_triad_bandwidth = floorBytes / (bw * 1e6);
      out.floor.fathom_fraction_of_floor = out.floor.ms_at_triad_bandwidth / fathom.median_ms;
      if (ref?.median_ms) out.floor.torch_fraction_of_floor = out.floor.ms_at_triad_bandwidth / ref.median_ms;
    }
  }
  return out;
}

// Table: one row per case.
const f2 = (/** @type {unknown} */ v, d = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');
const rows = [['case', 'Fathom ms', 'PyTorch ms', 'time F/T', 'Fathom MB', 'PyTorch MB', 'RSS F/T', 'notes']];
for (const [name, r] of Object.entries(results.cases)) {
  const ceiling = r.cache_resident?.fraction_of_floor
    ? `; cache-resident ${f2(r.cache_resident.median_ms)} ms = ${(100 * r.cache_resident.fraction_of_floor).toFixed(0)} %`
    : '';
  const note =
    r.floor?.fathom_fraction_of_floor !== undefined
      ? `floor ${f2(r.floor.ms_at_triad_bandwidth)} ms: Fathom ${(100 * r.floor.fathom_fraction_of_floor).toFixed(0)} %, PyTorch ${r.floor.torch_fraction_of_floor ? (100 * r.floor.torch_fraction_of_floor).toFixed(0) : '—'} % of it${ceiling}`
      : r.torch?.error
        ? `torch: ${r.torch.error.slice(0, 60)}`
        : r.fathom?.error
          ? `fathom: ${r.fathom.error.slice(0, 60)}`
          : '';
  rows.push([
    name,
    f2(r.fathom?.median_ms),
    f2(r.torch?.median_ms),
    f2(r.time_ratio_fathom_over_torch),
    f2(r.fathom?.peak_rss_mb, 0),
    f2(r.torch?.peak_rss_mb, 0),
    f2(r.peak_rss_ratio_fathom_over_torch),
    note,
  ]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
console.log(rows.map((r) => r.map((v, i) => v.padEnd(widths[i])).join('  ')).join('\n'));
const idle = results.idle_rss_mb;
console.log(
  `idle RSS: node ${f2(idle.node_bare_mb, 0)} MB (${f2(idle.node_with_fathom_mb, 0)} MB with Fathom loaded), python ${f2(idle.python_bare_mb, 0)} MB (${f2(idle.python_with_torch_mb, 0)} MB with torch)`,
);
console.log(`load average: start ${results.machine.load_average_start.join(' ')}, end ${results.machine.load_average_end.join(' ')}`);

save();
console.error(`wrote ${out}`);
