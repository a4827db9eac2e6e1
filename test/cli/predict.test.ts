// `fathom predict` as users run it, on checkpoints `fathom train` wrote: the accuracy it prints is
// the one the training summary reported, with the data prepared as training prepared it, and
// the CSV and .npy outputs read back.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadDataset } from '../../lib/data/loadDataset.js';
import { GCN, loadModel } from '../../lib/index.js';
import { ensureDistBuilt } from '../helpers/apiFixtures.js';
import { type CliRun, runCli } from '../helpers/runCli.js';

let tmp: string;
const cora = loadDataset('cora', { normalizeFeatures: false });
const testNodes = [...cora.testMask].flatMap((m, i) => (m ? [i] : []));

function expectOneLineError(r: CliRun, ...patterns: string[]): void {
  expect(r.status, r.stderr).not.toBe(0);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, r.stderr).toHaveLength(1);
  for (const p of patterns) expect(lines[0]).toContain(p);
}

/** Trains on Cora with checkpoints in `dir`; returns the summary. */
async function train(dir: string, ...extra: string[]): Promise<{ test_acc: number; best_epoch: number }> {
  const json = join(dir, 'summary.json');
  const r = await runCli(['train', '--dataset', 'cora', '--epochs', '60', '--device', 'cpu', '--checkpoint-dir', dir, '--json', json, ...extra]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(readFileSync(json, 'utf8')) as { test_acc: number; best_epoch: number };
}

async function predict(...args: string[]): Promise<CliRun> {
  return runCli(['predict', '--dataset', 'cora', ...args]);
}

/** Reads a NumPy v1 .npy file of float32 values: its header and data. */
function readNpy(path: string): { header: string; shape: number[]; data: Float32Array } {
  const b = readFileSync(path);
  expect([...b.subarray(0, 8)]).toEqual([0x93, ...Buffer.from('NUMPY'), 1, 0]);
  const len = b.readUInt16LE(8);
  expect((10 + len) % 64).toBe(0);
  const header = b.subarray(10, 10 + len).toString('latin1');
  expect(header.endsWith('\n')).toBe(true);
  const shape = /'shape': \((\d+), (\d+)\)/.exec(header)!.slice(1).map(Number);
  const body = b.subarray(10 + len);
  const data = new Float32Array(body.length / 4);
  for (let i = 0; i < data.length; i++) data[i] = body.readFloatLE(4 * i);
  return { header, shape, data };
}

beforeAll(() => {
  ensureDistBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'fathom-predict-'));
}, 300_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('fathom predict on the best checkpoint of fathom train', () => {
  let dir: string;
  let summary: { test_acc: number; best_epoch: number };
  beforeAll(async () => {
    dir = join(tmp, 'run');
    summary = await train(dir);
  }, 120_000);

  it('reproduces the training summary test accuracy exactly', async () => {
    const r = await predict('--checkpoint', join(dir, 'best.safetensors'), '--nodes', 'test', '--json', '-');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { accuracy: number; epoch: number; count: number; normalize_features: boolean };
    expect(out.epoch).toBe(summary.best_epoch);
    expect(out.accuracy).toBe(summary.test_acc);
    expect(out.count).toBe(testNodes.length);
    expect(out.normalize_features).toBe(true);
    expect(r.stderr).toContain(`test accuracy | ${(100 * summary.test_acc).toFixed(2)}%`);
  });

  it('writes CSV and .npy that read back to the same predictions', async () => {
    const csvPath = join(tmp, 'preds.csv');
    const npyPath = join(tmp, 'preds.npy');
    const best = join(dir, 'best.safetensors');
    for (const out of [csvPath, npyPath]) expect((await predict('--checkpoint', best, '--nodes', 'test', '--out', out)).status).toBe(0);
    const csv = readFileSync(csvPath, 'utf8');
    const [head, ...rows] = csv.trimEnd().split('\n');
    expect(head).toBe('node,class,p_0,p_1,p_2,p_3,p_4,p_5,p_6');
    expect(rows).toHaveLength(testNodes.length);
    const parsed = rows.map((l) => l.split(',').map(Number));
    expect(parsed.map((p) => p[0])).toEqual(testNodes);
    let hits = 0;
    for (const [node, cls, ...p] of parsed) {
      expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
      expect(p[cls!]).toBe(Math.max(...p));
      if (cls === cora.y[node!]) hits++;
    }
    expect(hits / rows.length).toBe(summary.test_acc);
    const npy = readNpy(npyPath);
    expect(npy.header).toContain("'descr': '<f4'");
    expect(npy.header).toContain("'fortran_order': False");
    expect(npy.shape).toEqual([testNodes.length, 7]);
    // The CSV's 9 significant digits read back to the same float32 values.
    expect([...npy.data]).toEqual(parsed.flatMap((p) => p.slice(2).map(Math.fround)));
    const stdout = await predict('--checkpoint', best, '--nodes', 'test', '--out', '-');
    expect(stdout.status).toBe(0);
    expect(stdout.stdout).toBe(csv);
    expect(stdout.stderr).toContain('test accuracy');
  });

  it('predicts every node by default', async () => {
    const r = await predict('--checkpoint', join(dir, 'best.safetensors'), '--json', '-');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ nodes: 'all', count: cora.numNodes });
  });

  it('rejects bad flags, files and datasets in one line each', async () => {
    const best = join(dir, 'best.safetensors');
    expectOneLineError(await predict('--checkpoint', best, '--out', join(tmp, 'p.txt')), '--out', '.csv or .npy');
    expectOneLineError(await predict('--checkpoint', best, '--nodes', 'everything'), '--nodes', 'everything');
    expectOneLineError(await predict('--checkpoint', join(tmp, 'missing.safetensors')), 'missing.safetensors');
    expectOneLineError(await runCli(['predict', '--dataset', 'citeseer', '--checkpoint', best]), 'citeseer has 3703 features', 'takes 1433');
    expectOneLineError(await predict('--checkpoint', best, '--no-normalize-features'), '--no-normalize-features contradicts');
  });
});

describe('fathom predict and feature normalization', () => {
  it('prepares the features as training did: raw features when trained with --no-normalize-features', async () => {
    const dir = join(tmp, 'raw');
    const summary = await train(dir, '--no-normalize-features');
    const r = await predict('--checkpoint', join(dir, 'best.safetensors'), '--nodes', 'test', '--json', '-');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ accuracy: summary.test_acc, normalize_features: false });
  }, 120_000);

  it('asks for the normalization when a checkpoint does not record it', async () => {
    const dir = join(tmp, 'run');
    const path = join(tmp, 'plain.safetensors');
    using model = loadModel(join(dir, 'best.safetensors'), GCN);
    model.save(path); // weights and config only, no run config
    expectOneLineError(await predict('--checkpoint', path), 'does not record how training prepared the features', '--normalize-features');
    const r = await predict('--checkpoint', path, '--normalize-features', '--nodes', 'test', '--json', '-');
    expect(r.status, r.stderr).toBe(0);
    const trained = await predict('--checkpoint', join(dir, 'best.safetensors'), '--nodes', 'test', '--json', '-');
    expect(JSON.parse(r.stdout).accuracy).toBe(JSON.parse(trained.stdout).accuracy);
  });
});
