// Data-parallel fit() under mpirun against one process: the same global batches must give the
// same losses and weights up to f32 rounding of the weighted gradient sum, whatever the number
// of ranks, and a rank that dies must end the job rather than hang it.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ensureDistBuilt } from '../helpers/apiFixtures.js';
import { maxRelDiff } from '../helpers/maxRelDiff.js';
import { BIN } from '../helpers/runCli.js';
import { MPIRUN_MISSING, runMpi, runWorker, writeWorker } from '../helpers/mpiRun.js';
import { WORKER_SOURCE } from './worker.js';

interface FitOut {
  ms: number;
  losses: number[];
  valAcc: number[];
  valAuc: (number | null)[];
  bestEpoch: number;
  epochsRun: number;
  resumedFrom: number;
  weights: number[];
}

// 144 training nodes in batches of 30 (30, 30, 30, 30, 24): 5 steps an epoch, 4 epochs = 20
// steps; 4 ranks split a batch of 30 as 8, 8, 7, 7, so the gradient weights differ by rank.
// Fanouts -1 take every neighbour: a seed's sampled neighbourhood is then the same whichever
// rank samples it, and the runs differ only by rounding.
const SAGE = { model: 'sage', epochs: 4, batchSize: 30, fanouts: [-1, -1] };
// Full-batch: every rank runs the whole graph, the loss on its share of the training nodes;
// dropout checks that the ranks keep rank 0's dropout stream.
const RES_GCN = { model: 'res-gcn', epochs: 20, dropout: 0.3 };
// f32 gradients summed in a different order (weighted per rank) differ by a few ulps; Adam's
// 20 steps carry that into the weights at about 1e-7 of the largest weight.
const TOL = 1e-6;

describe.skipIf(MPIRUN_MISSING !== null)(`data-parallel fit under mpirun${MPIRUN_MISSING ? ` (skipped: ${MPIRUN_MISSING})` : ''}`, () => {
  let dir = '';
  let worker = '';
  beforeAll(() => {
    ensureDistBuilt();
    dir = mkdtempSync(join(tmpdir(), 'fathom-dp-'));
    worker = writeWorker(dir, WORKER_SOURCE);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const [label, config] of [
    ['SAGE on sampled batches', SAGE],
    ['res-gcn full-batch with dropout', RES_GCN],
  ] as const) {
    it(`trains ${label} to the losses and weights of one process with 2 and 4 ranks`, async () => {
      const one = await runWorker<FitOut>(dir, worker, 0, `${config.model}-ref`, { ...config, distributed: false });
      expect(one.code, one.output).toBe(0);
      const ref = one.ranks[0]!;
      for (const np of [2, 4]) {
        const run = await runWorker<FitOut>(dir, worker, np, `${config.model}-np${np}`, { ...config, distributed: true });
        expect(run.code, run.output).toBe(0);
        for (const r of run.ranks) {
          expect(r, run.output).not.toBeNull();
          // Every rank ends with rank 0's weights and history, bit for bit.
          expect(r!.weights).toEqual(run.ranks[0]!.weights);
          expect(r!.valAcc).toEqual(run.ranks[0]!.valAcc);
        }
        const r0 = run.ranks[0]!;
        expect(r0.losses).toHaveLength(ref.losses.length);
        expect(maxRelDiff(r0.losses, ref.losses)).toBeLessThan(TOL);
        expect(maxRelDiff(r0.weights, ref.weights)).toBeLessThan(TOL);
        // The weights moved: a run that trained nothing would match too.
        expect(maxRelDiff(r0.weights, (await initialWeights(config)).weights)).toBeGreaterThan(1e-3);
      }
    });
  }

  async function initialWeights(config: object): Promise<FitOut> {
    const run = await runWorker<FitOut>(dir, worker, 0, 'initial', { ...config, epochs: 1, distributed: false });
    return run.ranks[0]!;
  }

  it("keeps every rank on rank 0's ROC-AUC history, best epoch and early stop with metric 'roc-auc'", async () => {
    const config = { ...SAGE, epochs: 12, patience: 2, numClasses: 2, metric: 'roc-auc', distributed: true };
    const run = await runWorker<FitOut>(dir, worker, 2, 'roc-auc', config);
    expect(run.code, run.output).toBe(0);
    const r0 = run.ranks[0]!;
    expect(r0.valAuc.every((v) => v !== null && v >= 0 && v <= 1)).toBe(true);
    for (const r of run.ranks) {
      expect(r!.valAuc).toEqual(r0.valAuc);
      expect(r!.bestEpoch).toBe(r0.bestEpoch);
      expect(r!.epochsRun).toBe(r0.epochsRun);
      expect(r!.weights).toEqual(r0.weights);
    }
  });

  it('resumes a run of 2 ranks from its checkpoints on the trajectory of an uninterrupted one, with 2 ranks or 4', async () => {
    const checkpoint = join(dir, 'ckpt');
    const whole = await runWorker<FitOut>(dir, worker, 2, 'whole', { ...SAGE, distributed: true });
    const first = await runWorker<FitOut>(dir, worker, 2, 'first', { ...SAGE, epochs: 2, distributed: true, checkpoint });
    expect(first.code, first.output).toBe(0);
    cpSync(checkpoint, `${checkpoint}-4`, { recursive: true });
    const rest = await runWorker<FitOut>(dir, worker, 2, 'rest', { ...SAGE, distributed: true, checkpoint, resume: true });
    expect(rest.code, rest.output).toBe(0);
    for (const r of rest.ranks) {
      expect(r!.resumedFrom).toBe(2);
      expect(r!.weights).toEqual(whole.ranks[0]!.weights);
    }
    expect(rest.ranks[0]!.losses).toEqual(whole.ranks[0]!.losses.slice(2));
    // The checkpoint holds the run, not the ranks: 4 ranks continue it, to rounding.
    const four = await runWorker<FitOut>(dir, worker, 4, 'rest4', { ...SAGE, distributed: true, checkpoint: `${checkpoint}-4`, resume: true });
    expect(four.code, four.output).toBe(0);
    expect(four.ranks[0]!.resumedFrom).toBe(2);
    expect(maxRelDiff(four.ranks[0]!.weights, whole.ranks[0]!.weights)).toBeLessThan(TOL);
    expect(maxRelDiff(four.ranks[0]!.losses, whole.ranks[0]!.losses.slice(2))).toBeLessThan(TOL);
  });

  it('sums and averages f32 and f64 tensors and broadcasts from the last rank as plain TypeScript does', async () => {
    const np = 3;
    type Out = { sum32: number[]; mean64: number[]; b32: number[]; bi32: number[]; size: number; rank: number };
    const run = await runWorker<Out>(dir, worker, np, 'collectives', { mode: 'collectives' });
    expect(run.code, run.output).toBe(0);
    const n = 1000;
    const values = (seed: number, round: (v: number) => number) => Array.from({ length: n }, (_, i) => round(Math.sin(seed * 7.1 + i) * 10 ** ((i % 7) - 3)));
    const f32 = (v: number) => Math.fround(v);
    const inputs32 = Array.from({ length: np }, (_, r) => values(r, f32));
    const inputs64 = Array.from({ length: np }, (_, r) => values(r, (v) => v));
    run.ranks.forEach((out, r) => {
      expect(out).toMatchObject({ size: np, rank: r });
      for (let i = 0; i < n; i++) {
        const exact32 = inputs32.reduce((s, a) => s + a[i]!, 0);
        const abs32 = inputs32.reduce((s, a) => s + Math.abs(a[i]!), 0);
        // np − 1 f32 additions, each within half an ulp of its result, plus the final rounding.
        expect(Math.abs(out!.sum32[i]! - exact32)).toBeLessThanOrEqual(np * 2 ** -24 * abs32);
        const exact64 = inputs64.reduce((s, a) => s + a[i]!, 0) / np;
        expect(Math.abs(out!.mean64[i]! - exact64)).toBeLessThanOrEqual(np * 2 ** -52 * inputs64.reduce((s, a) => s + Math.abs(a[i]!), 0));
      }
      expect(out!.b32).toEqual(values(np - 1 + 100, f32));
      expect(out!.bi32).toEqual(Array.from({ length: 10 }, (_, i) => (np - 1) * 1000 + i));
    });
  });

  it('ends the job with an error, not a hang, when a rank is killed mid-run', async () => {
    const run = await runWorker<FitOut>(dir, worker, 3, 'killed', { ...SAGE, epochs: 100_000, distributed: true, killRank: 1, killAfterMs: 1500 }, 45_000);
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/signal 9|Killed/);
    expect(run.ranks.every((r) => r === null)).toBe(true);
  });

  it('ends the job when a rank throws outside fit while the others wait in a collective', async () => {
    const run = await runWorker<object>(dir, worker, 2, 'throw', { mode: 'throw' }, 30_000);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('Error: rank 1 fails outside fit');
    expect(run.ranks.every((r) => r === null)).toBe(true);
  });

  it('ends the job with a DISTRIBUTED error naming the rank when the ranks are not running the same training', async () => {
    const run = await runWorker<FitOut>(dir, worker, 2, 'mismatch', { ...SAGE, distributed: true, epochsOnRank: { 1: 7 } }, 45_000);
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(
      /rank 1 of 2 failed, aborting the job: FathomError: fit: rank 1 runs \[epochs, parameters, seeds, batch size, partitioned features\] = \[7,.*rank 0 \[4,/,
    );
    expect(run.ranks.every((r) => r === null)).toBe(true);
  });

  it('runs `fathom train --distributed` under mpirun -np 2 with one summary, from rank 0, matching one process', async () => {
    const args = [
      BIN,
      'train',
      '--dataset',
      'cora',
      '--model',
      'sage',
      '--dropout',
      '0',
      '--batch-size',
      '64',
      '--fanout',
      '-1,-1',
      '--epochs',
      '3',
      '--patience',
      '0',
      '--device',
      'cpu',
      '--json',
      '-',
    ];
    const two = await runMpi(2, [...args, '--distributed']);
    expect(two.code, two.output).toBe(0);
    const lines = two.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    // The other rank stays silent: one load report, one summary table.
    expect(two.output.match(/^loaded .*cora/gm)).toHaveLength(1);
    const one = await runMpi(0, args);
    expect(one.code, one.output).toBe(0);
    const [a, b] = [JSON.parse(lines[0]!), JSON.parse(one.stdout)] as { train_loss: number; val_acc: number; epochs_run: number }[];
    expect(a.epochs_run).toBe(3);
    expect(Math.abs(a.train_loss - b!.train_loss) / b!.train_loss).toBeLessThan(TOL);
    expect(a.val_acc).toBe(b!.val_acc);
  });

  it('refuses --partitions with --distributed before loading any data', async () => {
    const run = await runMpi(2, [BIN, 'train', '--distributed', '--dataset', 'cora', '--partitions', '4', '--epochs', '1']);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('--partitions is not supported with it');
  });
});
