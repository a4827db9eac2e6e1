import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readCells, type CellRecord } from '../../lib/experiments/cellRecord.js';
import { runSweep } from '../../lib/experiments/runSweep.js';
import { parseSweepConfig } from '../../lib/experiments/sweepConfig.js';
import { resolveDevice } from '../../lib/runtime/devices.js';
import { provenance } from '../../lib/runtime/provenance.js';

// A tiny real sweep: two 2-layer GCNs (seeds 0 and 1) on Cora for 3 epochs, plus one invalid
// combination recorded as such.
const CONFIG = {
  name: 'tiny',
  dataset: 'cora',
  epochs: 3,
  hidden: 16,
  skipInvalid: true,
  summaryEpochs: [2],
  methods: [
    { name: 'gcn', model: 'gcn' },
    { name: 'bad', model: 'gcn', init: 'gnn-he' },
  ],
  grid: { depth: [2], seed: [0, 1] },
  diagnostics: { every: 2, metrics: ['featureScale', 'meanCosine'] },
  outDir: 'run',
};

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fathom-sweep-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** RFC 4180 CSV, parsed independently of the writer. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  const [head, ...body] = rows;
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

describe('fathom sweep (runSweep)', () => {
  let first: CellRecord[];

  it('trains every valid cell once and writes one JSON line per cell', async () => {
    const outcome = await runSweep(parseSweepConfig(CONFIG), { baseDir: tmp });
    expect(outcome).toMatchObject({ total: 4, skipped: 0, ran: 4, failed: 2, brokenLines: 0 });
    const lines = readFileSync(join(tmp, 'run', 'cells.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(4);
    first = lines.map((l) => JSON.parse(l) as CellRecord);
    const trained = first.filter((r) => r.status === 'ok');
    expect(trained.map((r) => r.id)).toEqual(['cora/gcn/depth=2/seed=0', 'cora/gcn/depth=2/seed=1']);
    for (const r of trained) {
      expect(r.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
      expect(r.final).toEqual(r.history[2]);
      expect(r.epochsRun).toBe(3);
      expect(r.stepMsMedian).toBeGreaterThan(0);
      // fit() records initialization and every 2 epochs; one row per layer.
      expect(r.diagnostics.map((d) => d.epoch)).toEqual([0, 2]);
      for (const d of r.diagnostics) {
        expect(d.layers.map((l) => l.layer)).toEqual([0, 1]);
        for (const l of d.layers) {
          expect(Object.keys(l).sort()).toEqual(['featureScale', 'layer', 'meanCosine']);
          expect(l.featureScale).toBeGreaterThan(0);
        }
      }
    }
    // Different seeds, different runs.
    expect(trained[0].final!.trainLoss).not.toBe(trained[1].final!.trainLoss);
    const bad = first.filter((r) => r.status === 'invalid');
    expect(bad).toHaveLength(2);
    // Every line says where the features came from (null: an invalid cell loads no data) and what produced it.
    expect(first.map((r) => r.featureSource)).toEqual(first.map((r) => (r.status === 'ok' ? 'file' : null)));
    for (const r of first) expect(r.provenance).toEqual(provenance(resolveDevice('auto')));
    expect(bad[0].error).toBe(
      '--init gnn-he does not apply to --model gcn: use one of glorot; for other initializers of a plain stack use --model res-gcn --residual none',
    );
  });

  it('writes summary.csv with one row per JSON line and the same values', () => {
    const rows = parseCsv(readFileSync(join(tmp, 'run', 'summary.csv'), 'utf8'));
    expect(rows.map((r) => r.id)).toEqual(first.map((r) => r.id));
    for (const [i, r] of first.entries()) {
      const row = rows[i];
      expect(row).toMatchObject({
        dataset: 'cora',
        method: r.params.method,
        depth: '2',
        seed: String(r.params.seed),
        status: r.status,
        epochs_run: String(r.epochsRun),
        feature_source: r.featureSource ?? '',
      });
      if (r.status !== 'ok') {
        expect(row.error).toBe(r.error);
        expect(row.final_train_loss).toBe('');
        continue;
      }
      expect(Number(row.final_train_loss)).toBe(r.final!.trainLoss);
      expect(Number(row.final_test_acc)).toBe(r.final!.testAcc);
      expect(Number(row.best_epoch)).toBe(r.best!.epoch);
      expect(Number(row.best_test_acc)).toBe(r.best!.testAcc);
      expect(Number(row.train_loss_at_2)).toBe(r.history[1].trainLoss);
      const fitted = r.history.find((h) => h.trainAcc >= 0.99);
      expect(row.epochs_to_fit).toBe(fitted ? String(fitted.epoch) : '');
      expect(Number(row.wall_s)).toBeCloseTo(r.wallMs / 1000, 9);
    }
  });

  it('skips the cells already in cells.jsonl when run again', async () => {
    const before = readFileSync(join(tmp, 'run', 'cells.jsonl'), 'utf8');
    const outcome = await runSweep(parseSweepConfig(CONFIG), { baseDir: tmp });
    expect(outcome).toMatchObject({ total: 4, skipped: 4, ran: 0 });
    expect(readFileSync(join(tmp, 'run', 'cells.jsonl'), 'utf8')).toBe(before);
  });

  it('tolerates a half-written last line and reruns only the cell it held', async () => {
    const path = join(tmp, 'run', 'cells.jsonl');
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    // Seed 1's line cut in the middle, as a crash during the write leaves it.
    const cut = lines.findIndex((l) => l.includes('"cora/gcn/depth=2/seed=1"'));
    const kept = lines.filter((_, i) => i !== cut);
    writeFileSync(path, `${kept.join('\n')}\n${lines[cut].slice(0, 80)}`);
    const ran: string[] = [];
    const outcome = await runSweep(parseSweepConfig(CONFIG), { baseDir: tmp, onCellStart: (c) => ran.push(c.id) });
    expect(outcome).toMatchObject({ total: 4, skipped: 3, ran: 1, brokenLines: 1 });
    expect(ran).toEqual(['cora/gcn/depth=2/seed=1']);
    const { records, skippedLines } = readCells(path);
    expect(skippedLines).toBe(1);
    expect(records.map((r) => r.id).sort()).toEqual(first.map((r) => r.id).sort());
    // The same seed gives the same run.
    expect(records.find((r) => r.id === 'cora/gcn/depth=2/seed=1')!.history).toEqual(first.find((r) => r.id === 'cora/gcn/depth=2/seed=1')!.history);
    // The broken fragment stays on a line of its own: every other line parses.
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(
      text
        .trim()
        .split('\n')
        .filter((l) => {
          try {
            JSON.parse(l);
            return false;
          } catch {
            return true;
          }
        }),
    ).toHaveLength(1);
  });

  it('records a cell whose training fails, with the epochs it ran', async () => {
    // A 4-layer linear GNN on raw features under plain SGD at lr 10: the loss is NaN at step 5.
    const config = {
      ...CONFIG,
      methods: [{ name: 'linear', model: 'linear-gnn' }],
      grid: { depth: [4] },
      optimizer: 'sgd',
      lr: 10,
      weightDecay: 0,
      normalizeFeatures: false,
      diagnostics: undefined,
      epochs: 10,
      outDir: 'nan',
    };
    const outcome = await runSweep(config, { baseDir: tmp });
    expect(outcome).toMatchObject({ ran: 1, failed: 1 });
    const [r] = readCells(join(tmp, 'nan', 'cells.jsonl')).records;
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/NaN|Infinity|non-finite|holds/);
    expect(r.epochsRun).toBe(r.history.length);
    expect(r.epochsRun).toBeLessThan(10);
  });
  it('trains on every labelled node with fitAllLabels, reporting train accuracy over all 2708 Cora nodes', async () => {
    const config = parseSweepConfig({
      ...CONFIG,
      methods: [{ name: 'gcn', model: 'gcn' }],
      grid: { depth: [2], seed: [0] },
      fitAllLabels: true,
      epochs: 2,
      outDir: 'all',
    });
    await runSweep(config, { baseDir: tmp });
    const [r] = readCells(join(tmp, 'all', 'cells.jsonl')).records;
    for (const h of r.history) {
      // Train and validation masks are both every labelled node; 140 training nodes would give multiples of 1/140.
      expect(h.valAcc).toBe(h.trainAcc);
      expect(Math.abs(h.trainAcc * 2708 - Math.round(h.trainAcc * 2708))).toBeLessThan(1e-6);
    }
    expect(() => parseSweepConfig({ ...CONFIG, fitAllLabels: 'yes' })).toThrow(/fitAllLabels: expected true or false, got "yes"/);
  });
});
