// `fathom train` with a learning-rate schedule (flags checked, the schedule in the checkpoints),
// and on features that overflow: a NUMERIC error and a non-zero exit, not `"train_loss": null`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadCheckpoint } from '../../lib/index.js';
import { ensureDistBuilt } from '../helpers/apiFixtures.js';
import { type CliRun, runCli } from '../helpers/runCli.js';

let tmp: string;

beforeAll(() => {
  ensureDistBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'fathom-train-lr-'));
}, 300_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function expectOneLineError(r: CliRun, ...patterns: string[]): void {
  expect(r.status, r.stderr).not.toBe(0);
  // The loader's report (loaded / found / applied / split) comes first; then one error line.
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !/^(loaded|found|applied|split):? /.test(l));
  expect(lines, r.stderr).toHaveLength(1);
  for (const p of patterns) expect(lines[0]).toContain(p);
}

/** A 6-node, 2-class dataset folder in the bundled format whose features are all `value`. */
function writeDataset(name: string, value: number): string {
  const dir = join(tmp, name);
  const edges = [
    [0, 1, 1, 2, 3, 4, 4, 5],
    [1, 0, 2, 1, 4, 3, 5, 4],
  ];
  const files = {
    edge_index: { path: 'edge_index.i32.gz', dtype: 'int32', shape: [2, 8], data: Buffer.from(Int32Array.from(edges.flat()).buffer) },
    y: { path: 'y.i32.gz', dtype: 'int32', shape: [6], data: Buffer.from(Int32Array.from([0, 0, 0, 1, 1, 1]).buffer) },
    train_mask: { path: 'train_mask.u8.gz', dtype: 'uint8', shape: [6], data: Buffer.from([1, 0, 0, 1, 0, 0]) },
    val_mask: { path: 'val_mask.u8.gz', dtype: 'uint8', shape: [6], data: Buffer.from([0, 1, 0, 0, 1, 0]) },
    test_mask: { path: 'test_mask.u8.gz', dtype: 'uint8', shape: [6], data: Buffer.from([0, 0, 1, 0, 0, 1]) },
    x: { path: 'x.f32.gz', dtype: 'float32', shape: [6, 3], data: Buffer.from(new Float32Array(18).fill(value).buffer) },
  };
  mkdirSync(dir);
  const meta = { name, num_nodes: 6, num_edges: 8, num_features: 3, num_classes: 2, features_available: true, files: {} as Record<string, unknown> };
  for (const [key, f] of Object.entries(files)) {
    meta.files[key] = { path: f.path, dtype: f.dtype, shape: f.shape };
    writeFileSync(join(dir, f.path), gzipSync(f.data));
  }
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
  return dir;
}

describe('fathom train --lr-schedule', () => {
  it('rejects flags without their schedule, or of another one, in one line', async () => {
    const base = ['train', '--dataset', 'cora', '--epochs', '2'];
    expectOneLineError(await runCli([...base, '--lr-schedule', 'step']), '--lr-schedule step needs --lr-step-size');
    expectOneLineError(await runCli([...base, '--lr-step-size', '5']), '--lr-step-size needs --lr-schedule');
    expectOneLineError(await runCli([...base, '--lr-schedule', 'cosine', '--lr-patience', '3']), '--lr-patience does not apply to --lr-schedule cosine');
    expectOneLineError(await runCli([...base, '--lr-schedule', 'linear']), 'linear');
  });

  it('trains with a cosine schedule whose rate and state the checkpoints keep', async () => {
    const dir = join(tmp, 'cosine');
    const r = await runCli([
      'train',
      '--dataset',
      'cora',
      '--epochs',
      '6',
      '--device',
      'cpu',
      '--lr-schedule',
      'cosine',
      '--lr-min',
      '0.001',
      '--checkpoint-dir',
      dir,
      '--checkpoint-every',
      '3',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const ckpt = loadCheckpoint(join(dir, 'epoch-000003.safetensors'));
    ckpt.model.dispose();
    // The rate of epoch 3's step: CosineAnnealingLR after 2 epochs with tMax 6 (the run's epochs), base 0.01 (GCN's).
    const expected = 0.001 + ((0.01 - 0.001) * (1 + Math.cos((Math.PI * 2) / 6))) / 2;
    expect(ckpt.optimizer!.lr).toBeCloseTo(expected, 15);
    ckpt.optimizer!.dispose();
    expect(ckpt.callbackState.lrSchedule).toMatchObject({ type: 'cosine', baseLr: 0.01 });
    expect(ckpt.config).toEqual({ dataset: 'cora', normalizeFeatures: true, datasetFlags: {} });
  });
});

describe('fathom train on features that overflow', () => {
  it('stops with a NUMERIC error and a non-zero exit instead of reporting a null loss', async () => {
    const dir = writeDataset('huge', 3e38);
    const r = await runCli(['train', '--dataset', dir, '--epochs', '5', '--device', 'cpu', '--no-normalize-features', '--json', '-']);
    expectOneLineError(r, 'training loss is', 'at step 1');
    expect(r.stdout).not.toContain('train_loss');
  });
});
