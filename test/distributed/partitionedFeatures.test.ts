// Partitioned features under mpirun: the rows a rank fetches through the store are the rows of
// the full matrix, so training on them gives the losses and weights of replicated features bit
// for bit, while each rank holds about 1/N of the rows; and a bad id fails every rank, not hangs.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sbmGraph } from '../../lib/data/sbmGraph.js';
import { devices } from '../../lib/runtime/devices.js';
import { metisStatus } from '../../lib/sampling/metisParts.js';
import { ensureDistBuilt } from '../helpers/apiFixtures.js';
import { buildFakeNccl, CC } from '../helpers/fakeNccl.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';
import { encodeNpy } from '../helpers/npyWriter.js';
import { BIN } from '../helpers/runCli.js';
import { MPIRUN_MISSING, runMpi, runWorker, writeWorker } from '../helpers/mpiRun.js';
import { WORKER_SOURCE } from './worker.js';

interface FitOut {
  losses: number[];
  metrics: number[][];
  valAuc: (number | null)[];
  bestEpoch: number;
  epochsRun: number;
  weights: number[];
  featureBytes?: number;
  localNodes?: number;
  gathers: number;
}

interface GatherOut {
  gathered: number[];
  expected: number[];
  bad: string | null;
  after: number[];
  afterExpected: number[];
  nbytes: number;
  local: number;
  ownerOfAll: number[];
  fromFile: { rows: number[]; full: number[]; nbytes: number } | null;
  status: { nccl: { available: boolean; inUse: boolean; reason?: string } };
}

// 144 training nodes in batches of 47 (47, 47, 47, 3): with 4 ranks the last batch leaves rank 3
// without seeds, which must still join every exchange. 4 epochs = 16 steps.
const SAGE = { model: 'sage', epochs: 4, batchSize: 47, fanouts: [-1, -1], distributed: true };
const STEPS = 16;
// 240 nodes × 16 f32 features.
const TOTAL_BYTES = 240 * 16 * 4;
const METIS = metisStatus().available ? 'metis' : 'contiguous';
// Against one process: the f32 rounding of the weighted gradient sum (see dataParallel.test.ts).
const TOL = 1e-6;

describe.skipIf(MPIRUN_MISSING !== null)(`partitioned features under mpirun${MPIRUN_MISSING ? ` (skipped: ${MPIRUN_MISSING})` : ''}`, () => {
  let dir = '';
  let worker = '';
  let featuresFile = '';
  beforeAll(() => {
    ensureDistBuilt();
    dir = mkdtempSync(join(tmpdir(), 'fathom-pf-'));
    worker = writeWorker(dir, WORKER_SOURCE);
    // The worker's graph's features, as numpy.save writes them: what ranks read their rows from.
    const g = sbmGraph({ numNodes: 240, numEdges: 2400, numFeatures: 16, numClasses: 4, homophily: 0.85, seed: 3 });
    featuresFile = join(dir, 'x.npy');
    writeFileSync(featuresFile, encodeNpy(g.x!, [240, 16], 'float32'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const [np, method] of [
    [2, METIS],
    [4, 'random'],
  ] as const) {
    it(`trains SAGE with ${method} partitioned features to the losses and weights of replicated ones, bit for bit, with ${np} ranks`, async () => {
      const replicated = await runWorker<FitOut>(dir, worker, np, `rep-${np}`, SAGE);
      expect(replicated.code, replicated.output).toBe(0);
      const parted = await runWorker<FitOut>(dir, worker, np, `part-${np}`, { ...SAGE, featureMethod: method });
      expect(parted.code, parted.output).toBe(0);
      const ref = replicated.ranks[0]!;
      const one = (await runWorker<FitOut>(dir, worker, 0, `one-${np}`, { ...SAGE, distributed: false })).ranks[0]!;
      const [dLoss, dWeights] = [maxRelDiff(parted.ranks[0]!.losses, one.losses), maxRelDiff(parted.ranks[0]!.weights, one.weights)];
      expect(dLoss).toBeLessThan(TOL);
      expect(dWeights).toBeLessThan(TOL);
      let bytes = 0;
      let nodes = 0;
      for (const r of parted.ranks) {
        expect(r!.losses).toEqual(ref.losses);
        expect(r!.weights).toEqual(ref.weights);
        // Every rank joined every step's exchange, the one without seeds included, and every
        // evaluation batch's: all 240 nodes are in a split, ceil(240 / np) on rank 0, in batches of 47.
        expect(r!.gathers).toBe(STEPS + SAGE.epochs * Math.ceil(Math.ceil(240 / np) / 47));
        // Its share of the rows: 1/N, within METIS's 3 % imbalance (random: sizes differ by one).
        expect(r!.featureBytes!).toBeLessThanOrEqual(Math.ceil((1.03 * 240) / np) * 16 * 4);
        bytes += r!.featureBytes!;
        nodes += r!.localNodes!;
      }
      expect([bytes, nodes]).toEqual([TOTAL_BYTES, 240]);
      const perRank = parted.ranks.map((r) => r!.featureBytes).join(', ');
      console.log(`np ${np} ${method}: feature bytes per rank ${perRank} of ${TOTAL_BYTES}; against one process: losses ${dLoss}, weights ${dWeights}`);
    });
  }

  it('builds the store from rows each rank reads from the .npy file alone: the gathers and the training of the full matrix, bit for bit, 1/N of the bytes', async () => {
    const gathered = await runWorker<GatherOut>(dir, worker, 2, 'gather-file', { mode: 'gather', method: 'random', featuresFile }, 60_000);
    expect(gathered.code, gathered.output).toBe(0);
    for (const r of gathered.ranks) {
      expect(r!.fromFile!.rows).toEqual(r!.fromFile!.full);
      expect(r!.fromFile!.rows.length).toBe(240 * 16);
      expect(r!.fromFile!.nbytes).toBe(r!.nbytes);
      expect(r!.fromFile!.nbytes).toBeLessThanOrEqual(121 * 16 * 4);
    }
    const replicated = await runWorker<FitOut>(dir, worker, 2, 'rep-file', SAGE);
    const fromFile = await runWorker<FitOut>(dir, worker, 2, 'part-file', { ...SAGE, featureMethod: 'random', featuresFile });
    expect(fromFile.code, fromFile.output).toBe(0);
    expect(fromFile.ranks[0]!.losses).toEqual(replicated.ranks[0]!.losses);
    expect(fromFile.ranks[0]!.weights).toEqual(replicated.ranks[0]!.weights);
    expect(fromFile.ranks.map((r) => r!.featureBytes!).reduce((a, b) => a + b)).toBe(TOTAL_BYTES);
  });

  it('evaluates on every rank from their shares to the metrics of rank 0 holding all features, early stopping and checkpoints alike', async () => {
    // Patience 1 over 10 epochs: the stop comes from the metrics, so equal epochs pin them too.
    const opts = { ...SAGE, epochs: 10, patience: 1 };
    const replicated = await runWorker<FitOut>(dir, worker, 2, 'rep-eval', { ...opts, checkpoint: join(dir, 'ck-rep') });
    expect(replicated.code, replicated.output).toBe(0);
    const parted = await runWorker<FitOut>(dir, worker, 2, 'part-eval', { ...opts, featureMethod: 'random', featuresFile, checkpoint: join(dir, 'ck-part') });
    expect(parted.code, parted.output).toBe(0);
    const [ref, got] = [replicated.ranks[0]!, parted.ranks[0]!];
    expect(got.epochsRun).toBe(ref.epochsRun);
    expect(got.losses).toEqual(ref.losses);
    expect(got.weights).toEqual(ref.weights);
    let worst = 0;
    got.metrics.forEach((m, e) => {
      // Accuracies are counts over the same nodes; the validation loss is a sum in another order
      // (f64 over f32 terms against one f32 reduction): a few f32 ulps.
      expect(m.slice(0, 3)).toEqual(ref.metrics[e]!.slice(0, 3));
      worst = Math.max(worst, Math.abs(m[3]! - ref.metrics[e]![3]!) / Math.abs(ref.metrics[e]![3]!));
    });
    expect(worst).toBeLessThan(1e-5);
    // Every rank saw the same metrics; only rank 0 wrote checkpoints, as many as with replicated features.
    expect(parted.ranks[1]!.metrics).toEqual(got.metrics);
    expect(readdirSync(join(dir, 'ck-part')).sort()).toEqual(readdirSync(join(dir, 'ck-rep')).sort());
    console.log(`partitioned evaluation, 2 ranks: ${got.epochsRun} epochs, val loss within ${worst} of rank 0's full-batch evaluation`);
  });

  it("evaluates ROC-AUC from every rank's share to rank 0's full-batch ROC-AUC, with the same best epoch, 2 ranks", async () => {
    // A binary task: each rank scores its share, the scores are joined by a sum, every rank ranks them all.
    const opts = { ...SAGE, epochs: 8, patience: 2, numClasses: 2, metric: 'roc-auc' };
    const replicated = await runWorker<FitOut>(dir, worker, 2, 'rep-auc', opts);
    expect(replicated.code, replicated.output).toBe(0);
    const parted = await runWorker<FitOut>(dir, worker, 2, 'part-auc', { ...opts, featureMethod: 'random' });
    expect(parted.code, parted.output).toBe(0);
    const [ref, got] = [replicated.ranks[0]!, parted.ranks[0]!];
    expect(got.losses).toEqual(ref.losses);
    expect(got.bestEpoch).toBe(ref.bestEpoch);
    expect(ref.valAuc.every((v) => v !== null && v > 0.5)).toBe(true);
    // Scores are the same logits up to the order of f32 sums (blocks against one product): a
    // pair whose scores tie to within that rounding can swap, 1 of the ~3500 pairs at most here.
    got.valAuc.forEach((v, e) => expect(Math.abs(v! - ref.valAuc[e]!)).toBeLessThan(1e-3));
    expect(parted.ranks[1]!.valAuc).toEqual(got.valAuc);
  });

  it("trains with fit's own store (features: 'partitioned') as with replicated features, 4 ranks", async () => {
    const replicated = await runWorker<FitOut>(dir, worker, 4, 'rep-own', SAGE);
    const parted = await runWorker<FitOut>(dir, worker, 4, 'part-own', { ...SAGE, features: 'partitioned' });
    expect(parted.code, parted.output).toBe(0);
    expect(parted.ranks[0]!.losses).toEqual(replicated.ranks[0]!.losses);
    expect(parted.ranks[0]!.weights).toEqual(replicated.ranks[0]!.weights);
  });

  it('gathers the rows each rank asks for from their owners, as a lookup in the full matrix does, with NCCL unusable', async () => {
    // A library that is not NCCL: every rank falls back to MPI for everything.
    const run = await runWorker<GatherOut>(dir, worker, 3, 'gather', { mode: 'gather', method: 'random' }, 60_000, { FATHOM_NCCL_LIBRARY: 'libm.so.6' });
    expect(run.code, run.output).toBe(0);
    const owners = run.ranks[0]!.ownerOfAll;
    run.ranks.forEach((r, rank) => {
      expect(r!.gathered).toEqual(r!.expected);
      expect(r!.gathered.length).toBe(rank === 1 ? 0 : (50 + 13 * rank) * 16);
      expect(r!.ownerOfAll).toEqual(owners);
      expect(r!.local).toBe(owners.filter((o) => o === rank).length);
      expect(r!.nbytes).toBe(r!.local * 16 * 4);
      // The bad id fails the rank that asked with RANGE, the others with DISTRIBUTED; the store
      // works on after it (the ranks left the exchange together).
      if (rank === 1) expect(r!.bad).toBe('RANGE: gather: node id 240 at position 1 is not in [0, 240)');
      else expect(r!.bad).toMatch(/^DISTRIBUTED: gather: rank 1 asked for a node id that is not in the graph/);
      expect(r!.after).toEqual(r!.afterExpected);
      expect(r!.status.nccl).toMatchObject({ available: false, inUse: false });
      expect(r!.status.nccl.reason).toMatch(/libm\.so\.6 lacks ncclGetUniqueId/);
    });
    // The random book spreads the nodes over all three ranks.
    expect(new Set(owners).size).toBe(3);
  });

  it.skipIf(CC === null)('uses a loadable NCCL only where every rank has a GPU, every rank agreeing, and exchanges CPU rows over MPI', async () => {
    const lib = buildFakeNccl(dir);
    const run = await runWorker<GatherOut>(dir, worker, 2, 'gather-nccl', { mode: 'gather', method: 'contiguous' }, 60_000, { FATHOM_NCCL_LIBRARY: lib });
    expect(run.code, run.output).toBe(0);
    for (const r of run.ranks) {
      // The ranks share this machine: NCCL is in use exactly when it has a GPU.
      expect(r!.status.nccl).toMatchObject({ available: true, inUse: devices().cuda.available });
      expect(r!.gathered).toEqual(r!.expected);
    }
  });

  it('fails every rank, none left waiting, when one rank builds its store from a wrong shard or another book', async () => {
    type Out = { short: string; differ: string; fine: string };
    const run = await runWorker<Out>(dir, worker, 2, 'shards', { mode: 'shards' }, 30_000);
    expect(run.code, run.output).toBe(0);
    const [r0, r1] = run.ranks as Out[];
    expect(r1!.short).toBe('SHAPE: DistributedFeatures.fromLocal: rank 1 owns 3 nodes of 2 features (6 values); rows has 1');
    expect(r0!.short).toBe('DISTRIBUTED: DistributedFeatures.fromLocal: 1 other rank(s) failed to build their shard (their errors say why)');
    for (const r of [r0!, r1!]) {
      expect(r.differ).toMatch(/^DISTRIBUTED: DistributedFeatures\.fromLocal: the ranks' stores differ: rank \d has \[nodes, features, bits, book checksum\]/);
      expect(r.fine).toBe('ok');
    }
  });

  it('trains `--features x.npy --partition-features` with the features left on disk, each rank reading its rows, to the summary of replicated features', async () => {
    const g = sbmGraph({ numNodes: 240, numEdges: 2400, numFeatures: 16, numClasses: 4, homophily: 0.85, seed: 3 });
    const edges = join(dir, 'edges.csv');
    writeFileSync(edges, Array.from({ length: g.numEdges }, (_, e) => `${g.edgeIndex[e]},${g.edgeIndex[g.numEdges + e]}`).join('\n'));
    const labels = join(dir, 'y.npy');
    writeFileSync(labels, encodeNpy(g.y, [240], 'int32'));
    const args = [BIN, 'train', '--dataset', edges, '--features', featuresFile, '--labels', labels, '--model', 'sage', '--dropout', '0'];
    const tail = ['--batch-size', '64', '--fanout', '-1,-1', '--epochs', '3', '--patience', '0', '--device', 'cpu', '--json', '-', '--distributed'];
    const parted = await runMpi(2, [...args, ...tail, '--partition-features', 'random'], {}, 120_000);
    expect(parted.code, parted.output).toBe(0);
    expect(parted.output).toMatch(/16 features \(left on disk\)/);
    expect(parted.output).toMatch(/partitioned features \(random\): rank 0 holds 120 of 240 rows/);
    const replicated = await runMpi(2, [...args, ...tail], {}, 120_000);
    expect(replicated.code, replicated.output).toBe(0);
    type Summary = { train_loss: number; val_acc: number; test_acc: number };
    const [a, b] = [JSON.parse(parted.stdout), JSON.parse(replicated.stdout)] as Summary[];
    expect(a!.train_loss).toBe(b!.train_loss);
    expect([a!.val_acc, a!.test_acc]).toEqual([b!.val_acc, b!.test_acc]);
  });

  it('runs `fathom train --distributed --partition-features` under mpirun -np 2 with the summary of replicated features', async () => {
    const args = [BIN, 'train', '--dataset', 'cora', '--model', 'sage', '--dropout', '0', '--batch-size', '64', '--fanout', '-1,-1'];
    const tail = ['--epochs', '2', '--patience', '0', '--device', 'cpu', '--json', '-', '--distributed'];
    const parted = await runMpi(2, [...args, ...tail, '--partition-features', 'contiguous'], {}, 120_000);
    expect(parted.code, parted.output).toBe(0);
    expect(parted.output).toMatch(/partitioned features \(contiguous\): rank 0 holds 1354 of 2708 rows, /);
    const replicated = await runMpi(2, [...args, ...tail], {}, 120_000);
    expect(replicated.code, replicated.output).toBe(0);
    const [a, b] = [JSON.parse(parted.stdout), JSON.parse(replicated.stdout)] as { train_loss: number; val_acc: number }[];
    expect(a!.train_loss).toBe(b!.train_loss);
    expect(a!.val_acc).toBe(b!.val_acc);
  });
});
