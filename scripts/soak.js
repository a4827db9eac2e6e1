#!/usr/bin/env node
// Soak test over the built package: long training and many model lifetimes must not leak.
//   node scripts/soak.js [--steps 10000] [--cycles 1000] [--threads 1]
// Phase 1 trains one GCN for --steps full-batch steps; phase 2 runs --cycles cycles of
// create model → train 2 epochs → dispose. Live native tensors must return exactly to the
// baseline, and RSS must end within 5% of the baseline taken at half of the phase.
// Exits 1 on failure.
// CommonJS (scripts/package.json), loading the ESM build with import().
const { join } = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

// A real collection before each reading, without requiring node --expose-gc.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const root = join(__dirname, '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const STEPS = arg('--steps', 10000);
const CYCLES = arg('--cycles', 1000);
const THREADS = arg('--threads', 1);
// RSS is printed every 10% of each phase. The before/after comparison starts at half of
// the phase: over the first few thousand steps V8 grows its heap capacity and glibc's
// malloc raises its mmap threshold and keeps freed blocks, a one-time rise that then
// stays flat (see docs/robustness.md); a leak keeps climbing through the second half.
const tick = (n) => Math.max(1, Math.floor(n / 10));
const half = (n) => Math.max(1, Math.floor(n / 2));

const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MB`;

async function main() {
  const { datasets, GCN, NodeData, fit, memory, setNumThreads } = await import(join(root, 'dist/esm/index.js'));
  // One thread by default: this is about leaks, and OpenMP threads on a machine whose cores
  // are busy wait on each other (about 20x slower for this small model).
  setNumThreads(THREADS);
  const ds = datasets.loadDataset('texas', { normalizeFeatures: true });
  const data = NodeData.from(ds);
  const make = (seed) => new GCN({ inChannels: ds.numFeatures, hiddenChannels: 16, outChannels: ds.numClasses, seed });
  // Collect, then let finalizers and weak callbacks run, three times over: RSS read right
  // after one collection swings by tens of MB with whatever garbage was pending.
  const snapshot = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    const u = process.memoryUsage();
    return { tensors: memory().cpu.tensors, bytes: memory().cpu.bytes, rss: u.rss, heap: u.heapTotal };
  };
  const report = (name, before, after) => {
    const drift = (after.rss - before.rss) / before.rss;
    const ok = after.tensors === before.tensors && after.bytes === before.bytes && Math.abs(drift) <= 0.05;
    console.log(
      `${name}: live tensors ${before.tensors} -> ${after.tensors}, native bytes ${before.bytes} -> ${after.bytes}, ` +
        `RSS ${mb(before.rss)} -> ${mb(after.rss)} (${(100 * drift).toFixed(2)}%; V8 heap ${mb(before.heap)} -> ${mb(after.heap)}) ${ok ? 'OK' : 'FAIL'}`,
    );
    return ok;
  };

  // Phase 1: one long run. Both snapshots are taken inside onEpoch, with the same objects
  // alive (data, model, optimizer state): at half of the steps and after the last one.
  const t0 = performance.now();
  const model = make(0);
  let before;
  let after;
  let trace = [];
  await fit(model, data, {
    epochs: STEPS,
    patience: 0,
    lr: 0.01,
    weightDecay: 5e-4,
    onEpoch: async (r) => {
      if (r.epoch === half(STEPS)) before = await snapshot();
      if (r.epoch === STEPS) after = await snapshot();
      if (r.epoch % tick(STEPS) === 0) trace.push(mb(process.memoryUsage().rss));
    },
  });
  model.dispose();
  const ok1 = report(`${STEPS} training steps`, before, after);
  console.log(`  RSS every ${tick(STEPS)} steps: ${trace.join(', ')}`);
  trace = [];
  console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  // Phase 2: many lifetimes. Baseline at half of the cycles, with no model alive.
  const t1 = performance.now();
  let base;
  for (let c = 0; c < CYCLES; c++) {
    if (c === half(CYCLES)) base = await snapshot();
    if (c % tick(CYCLES) === 0) trace.push(mb(process.memoryUsage().rss));
    const m = make(c);
    await fit(m, data, { epochs: 2, patience: 0 });
    m.dispose();
  }
  const ok2 = report(`${CYCLES} create/train/dispose cycles`, base, await snapshot());
  console.log(`  RSS every ${tick(CYCLES)} cycles: ${trace.join(', ')}`);
  console.log(`  (${((performance.now() - t1) / 1000).toFixed(1)} s)`);
  data.dispose();
  const end = memory().cpu;
  console.log(`after disposing the data: ${end.tensors} live tensors, ${end.bytes} native bytes`);
  process.exit(ok1 && ok2 && end.tensors === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
