// Where a training step's GPU time goes, kernel by kernel: Nsight Compute (`ncu`) records the
// duration of every kernel launch of a Fathom case process (bench/lib/fathom-case.mjs: the graph's
// load, then warm-up and timed steps), once with the established kernels and once with the
// candidate kernels of native/cuda/variants.h, and this prints per kernel the launches, the total
// time and its share, heaviest first. One metric, gpu__time_duration.sum, needs a single pass, so
// ncu does not replay kernels; it serializes them, so the sum is the GPU's busy time without
// overlap, not a step's wall time. Clocks and caches are left alone (--clock-control none,
// --cache-control none), so each kernel finds the L2 as the one before it left it.
//   node bench/gpu/profile-kernels.mjs [--graphs rmat-1m,uniform-1m] [--cases gat,gcn] [--configs default,candidates]
//        [--nodes 1000000] [--edges 10000000] [--steps 2] [--top 12] [--ncu ncu] [--timeout-s 60] [--out FILE]
// Needs ncu and a GPU; without ncu it says so and exits 0 (a dry run of run-gpu-checks.sh).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import * as F from '../../dist/esm/index.js';
import { FATHOM_CASE } from '../lib/children.mjs';
import { generatedSpec, prepareGraph } from '../lib/graphs.mjs';
import { kernelTotals } from '../lib/ncuCsv.mjs';

const { values: args } = parseArgs({
  options: {
    graphs: { type: 'string', default: 'rmat-1m,uniform-1m' },
    cases: { type: 'string', default: 'gat,gcn' },
    configs: { type: 'string', default: 'default,candidates' },
    nodes: { type: 'string', default: '1000000' },
    edges: { type: 'string', default: '10000000' },
    steps: { type: 'string', default: '2' },
    top: { type: 'string', default: '12' },
    ncu: { type: 'string', default: 'ncu' },
    'timeout-s': { type: 'string', default: '60' },
    out: { type: 'string' },
  },
});

/** The environments of the two configurations (compare-cuda.bench.mjs's fathom-new side is the second). */
const CONFIGS = {
  default: {},
  candidates: { FATHOM_CUDA_GAT: 'per-node', FATHOM_CUDA_SPMM: 'row-cached', FATHOM_CUDA_SPLIT_ROWS: '1' },
};
const METRIC = 'gpu__time_duration.sum';

function ncuVersion() {
  try {
    return execFileSync(args.ncu, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')
      .pop();
  } catch {
    return null;
  }
}
const version = ncuVersion();
if (!version) {
  console.log(`profile-kernels: ${args.ncu} not found; nothing profiled`);
  process.exit(0);
}

const nodes = Number(args.nodes);
const edges = Number(args.edges);
const tmp = mkdtempSync(join(os.tmpdir(), 'fathom-ncu-'));
const results = { ncu: version, metric: METRIC, nodes, edges, steps: Number(args.steps), runs: /** @type {unknown[]} */ ([]) };
try {
  for (const graph of args.graphs.split(',')) {
    const kind = graph.startsWith('uniform') ? 'uniform' : 'rmat';
    const dir = prepareGraph(F, generatedSpec(kind, nodes, edges));
    for (const kase of args.cases.split(','))
      for (const config of args.configs.split(',')) {
        const env = /** @type {Record<string, string>} */ (CONFIGS[/** @type {keyof typeof CONFIGS} */ (config)]);
        if (!env) throw new RangeError(`profile-kernels: unknown config '${config}'; configs are ${Object.keys(CONFIGS).join(', ')}`);
        const report = join(tmp, `${graph}-${kase}-${config}`);
        const caseArgs = [FATHOM_CASE, '--case', kase, '--graph', dir, '--device', 'cuda', '--repeats', String(results.steps - 1), '--warmup', '1'];
        const t0 = performance.now();
        // Clocks and caches as the step leaves them (ncu's defaults lock the base clock and flush
        // the caches before every kernel): the times of the step as it runs, not of cold kernels.
        const ncuArgs = ['--metrics', METRIC, '--clock-control', 'none', '--cache-control', 'none', '--target-processes', 'all', '-f', '-o', report];
        const run = spawnSync(args.ncu, [...ncuArgs, process.execPath, ...caseArgs], {
          encoding: 'utf8',
          env: { ...process.env, ...env },
          timeout: Number(args['timeout-s']) * 1000,
          maxBuffer: 64 << 20,
        });
        const seconds = (performance.now() - t0) / 1000;
        const label = `${graph} ${kase} ${config}`;
        if (run.status !== 0) {
          const why = run.error ? String(run.error.message) : `exit ${run.status}`;
          console.log(`\n${label}: ncu failed (${why}) after ${seconds.toFixed(1)} s\n${(run.stderr ?? '').slice(-2000)}`);
          results.runs.push({ graph, case: kase, config, error: why });
          continue;
        }
        const csv = execFileSync(
          args.ncu,
          ['--import', `${report}.ncu-rep`, '--csv', '--page', 'raw', '--print-kernel-base', 'demangled', '--metrics', METRIC],
          {
            encoding: 'utf8',
            maxBuffer: 256 << 20,
          },
        );
        const t = kernelTotals(csv, METRIC);
        results.runs.push({ graph, case: kase, config, env, seconds, ...t });
        console.log(
          `\n${label}: ${t.launches} launches, ${t.total_ms.toFixed(2)} ms of kernels in the process (load, 1 warm-up and ${results.steps - 1} timed steps), profiled in ${seconds.toFixed(1)} s`,
        );
        for (const k of t.kernels.slice(0, Number(args.top))) {
          console.log(`  ${k.total_ms.toFixed(3).padStart(10)} ms ${(100 * k.share).toFixed(1).padStart(5)} % ${String(k.launches).padStart(5)}x  ${k.name}`);
        }
      }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
if (args.out) writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
