// The `fathom` command line, run as users run it: `node bin/fathom.js …` in a child process.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { devices } from '../../lib/index.js';
import { REPO_ROOT, ensureDistBuilt } from '../helpers/apiFixtures.js';
import { BIN, runCli, type CliRun } from '../helpers/runCli.js';

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const SUMMARY_KEYS = [
  'dataset',
  'model',
  'layers',
  'hidden',
  'device',
  'seed',
  'feature_source',
  'provenance',
  'batches',
  'epochs_total',
  'epochs_run',
  'resumed_from',
  'best_epoch',
  'train_loss',
  'train_acc',
  'val_acc',
  'test_acc',
  'metric',
  'train_auc',
  'val_auc',
  'test_auc',
  'final_train_acc',
  'max_train_acc',
  'fit_all_labels',
  'epoch_ms_median',
  'compiled',
  'peak_rss_mb',
  'peak_device_mb',
];

type Run = CliRun;

/** Runs the CLI with `args` (stderr not a terminal, as in CI) and collects its output. */
function fathom(args: string[], timeoutMs = 110_000): Promise<Run> {
  return runCli(args, { timeoutMs });
}

/** A one-line error: non-zero exit, exactly one non-empty stderr line, no stack trace. */
function expectOneLineError(r: Run, ...patterns: (string | RegExp)[]): string {
  expect(r.status, r.stderr).not.toBe(0);
  expect(r.status).not.toBeNull();
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at\s/);
  expect(r.stderr).not.toMatch(/node:internal|\.js:\d+/);
  for (const p of patterns) {
    if (typeof p === 'string') expect(lines[0]).toContain(p);
    else expect(lines[0]).toMatch(p);
  }
  return lines[0]!;
}

let tmp: string;

beforeAll(() => {
  ensureDistBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'fathom-cli-'));
}, 300_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('fathom info', () => {
  it('prints the version, the build, BLAS, threads and devices', async () => {
    const r = await fathom(['info']);
    expect(r.status, r.stderr).toBe(0);
    const d = devices();
    for (const label of ['version', 'build', 'BLAS', 'CPU threads', 'CUDA']) expect(r.stdout).toContain(label);
    expect(r.stdout).toContain(VERSION);
    expect(r.stdout).toContain(d.cpu.blas);
    expect(r.stdout).toMatch(new RegExp(`CPU threads\\s*\\|\\s*${d.cpu.threads}\\b`));
    expect(r.stdout).toContain(d.cuda.compiled ? 'CPU + CUDA' : 'CPU only');
    if (!d.cuda.available) expect(r.stdout).toContain('unavailable');
  });

  it('prints JSON with --json that parses and matches devices()', async () => {
    const r = await fathom(['info', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as { version: string; cpu: { threads: number; blas: string }; cuda: { available: boolean; compiled: boolean } };
    expect(info.version).toBe(VERSION);
    const d = devices();
    expect(info.cpu.blas).toBe(d.cpu.blas);
    expect(info.cpu.threads).toBe(d.cpu.threads);
    expect(info.cuda.available).toBe(d.cuda.available);
    expect(info.cuda.compiled).toBe(d.cuda.compiled);
  });

  it('prints the version with --version', async () => {
    const r = await fathom(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
  });
});

describe('fathom train', () => {
  function checkSummary(summary: Record<string, unknown>): void {
    expect(Object.keys(summary).sort()).toEqual([...SUMMARY_KEYS].sort());
    expect(summary.dataset).toBe('cora');
    expect(summary.model).toBe('gcn');
    expect(summary.layers).toBe(2);
    expect(summary.hidden).toBe(64);
    expect(summary.device).toBe(devices().cuda.available ? 'cuda' : 'cpu');
    expect(summary.seed).toBe(0);
    expect(summary.batches).toEqual({ kind: 'full' });
    expect(summary.epochs_run).toBe(3);
    expect(summary.epochs_total).toBe(3);
    expect(summary.resumed_from).toBe(0);
    expect(summary.feature_source).toBe('file');
    expect(summary.best_epoch).toEqual(expect.any(Number));
    expect(summary.best_epoch as number).toBeGreaterThanOrEqual(1);
    expect(summary.best_epoch as number).toBeLessThanOrEqual(3);
    for (const k of ['train_acc', 'val_acc', 'test_acc'] as const) {
      expect(typeof summary[k]).toBe('number');
      expect(summary[k] as number).toBeGreaterThanOrEqual(0);
      expect(summary[k] as number).toBeLessThanOrEqual(1);
    }
    expect(Number.isFinite(summary.train_loss)).toBe(true);
    expect(summary.epoch_ms_median as number).toBeGreaterThan(0);
    expect(summary.peak_rss_mb as number).toBeGreaterThan(0);
    if (summary.device === 'cuda') expect(summary.peak_device_mb as number).toBeGreaterThan(0);
    else expect(summary.peak_device_mb).toBeNull();
  }

  it('writes exactly one JSON summary to stdout with --json -, and progress to stderr', async () => {
    const r = await fathom(['train', '--dataset', 'cora', '--epochs', '3', '--patience', '0', '--json', '-']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    checkSummary(JSON.parse(lines[0]!) as Record<string, unknown>);
    // the progress line, and (with stdout taken by JSON) the table, go to stderr
    expect(r.stderr).toMatch(/^train 3\/3 \| loss \d+\.\d+ val \d+\.\d% best \d+\.\d%@\d+$/m);
    expect(r.stderr).toContain('test accuracy');
  });

  it('trains with --optimizer sgd --momentum 0.9', async () => {
    const r = await fathom([
      'train',
      '--dataset',
      'cora',
      '--epochs',
      '3',
      '--patience',
      '0',
      '--optimizer',
      'sgd',
      '--lr',
      '0.1',
      '--momentum',
      '0.9',
      '--json',
      '-',
    ]);
    expect(r.status, r.stderr).toBe(0);
    checkSummary(JSON.parse(r.stdout.trim()) as Record<string, unknown>);
  });

  it('compiles steps by default and trains to the same losses with --no-compile', async () => {
    const args = ['train', '--dataset', 'cora', '--epochs', '8', '--patience', '0', '--json', '-'];
    const compiled = await fathom(args);
    const eager = await fathom([...args, '--no-compile']);
    expect(compiled.status, compiled.stderr).toBe(0);
    expect(eager.status, eager.stderr).toBe(0);
    const a = JSON.parse(compiled.stdout.trim()) as Record<string, unknown>;
    const b = JSON.parse(eager.stdout.trim()) as Record<string, unknown>;
    expect(a.compiled).toEqual({ train: true, evaluation: true, train_reason: null });
    expect(b.compiled).toBeNull();
    for (const k of ['train_loss', 'train_acc', 'val_acc', 'test_acc', 'best_epoch']) expect(a[k], k).toBe(b[k]);
  });

  it('writes the JSON summary to a file with --json FILE and prints the summary table', async () => {
    const file = join(tmp, 'summary.json');
    const r = await fathom(['train', '--dataset', 'cora', '--epochs', '3', '--patience', '0', '--json', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text.trim().split('\n')).toHaveLength(1);
    const summary = JSON.parse(text) as Record<string, unknown>;
    checkSummary(summary);
    for (const row of [
      'dataset',
      'model',
      'device',
      'features',
      'epochs',
      'epochs this run',
      'best epoch',
      'train loss',
      'train accuracy',
      'val accuracy',
      'test accuracy',
      'epoch time (median)',
      'peak RSS',
      'build',
    ]) {
      expect(r.stdout).toContain(row);
    }
    expect(r.stdout).toMatch(/epochs this run\s*\|\s*3\s*\|/);
    expect(r.stdout).not.toContain('resumed from');
    expect(r.stdout).toContain(`${(100 * (summary.test_acc as number)).toFixed(2)}%`);
    expect(r.stdout).not.toContain('{');
    expect(r.stderr).toMatch(/^train 3\/3 \| /m);
  });
});

describe('fathom train interrupted', () => {
  it('stops on SIGINT between epochs with a one-line message and a non-zero exit', async () => {
    const child = spawn(process.execPath, [BIN, 'train', '--dataset', 'cora', '--epochs', '100000', '--patience', '0'], {
      cwd: REPO_ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    // never leave a training process behind, whatever happens to this test
    const guard = setTimeout(() => child.kill('SIGKILL'), 100_000);
    done.finally(() => clearTimeout(guard));
    // Interrupt once training is under way: the first progress line (epoch 25) is on stderr
    // (after the loader's report lines).
    await new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        const first = !/^train \d+\//m.test(stderr);
        stderr += d;
        if (first && /^train \d+\//m.test(stderr)) {
          child.kill('SIGINT');
          resolve();
        }
      });
      child.on('close', () => resolve());
    });
    const status = await done;
    expect(stderr).toMatch(/^train 25\/100000 \| /m);
    expect(status).toBe(1);
    const lines = stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines[lines.length - 1]).toBe('fathom: interrupted');
    expect(stderr).not.toMatch(/\n\s+at\s/);
    expect(stdout).toBe('');
  });
});

describe('fathom train with bad flags', () => {
  it('rejects --momentum without --optimizer sgd, saying what to change', async () => {
    const r = await fathom(['train', '--dataset', 'cora', '--epochs', '2', '--momentum', '0.9']);
    expectOneLineError(r, '--momentum', '--optimizer sgd');
  });

  it('rejects looks-linear with an odd --hidden before loading any data', async () => {
    const r = await fathom(['train', '--dataset', 'cora', '--model', 'res-gcn', '--init', 'looks-linear', '--hidden', '63']);
    expectOneLineError(r, 'looks-linear', 'even', '--hidden');
  });

  it('rejects an unknown --model naming the choices', async () => {
    const r = await fathom(['train', '--dataset', 'cora', '--model', 'transformer']);
    expectOneLineError(r, '--model', 'res-gcn', 'gatv2', 'linear-gnn');
  });

  it('rejects an unknown --optimizer naming the choices', async () => {
    const r = await fathom(['train', '--dataset', 'cora', '--optimizer', 'lbfgs']);
    expectOneLineError(r, '--optimizer', 'adam', 'sgd');
  });

  it('rejects --layers 0 naming the option and the allowed range', async () => {
    const r = await fathom(['train', '--dataset', 'cora', '--layers', '0']);
    expectOneLineError(r, '--layers', "'0'", 'integer');
  });

  it('rejects --dropout 1 naming the option and the allowed range', async () => {
    const r = await fathom(['train', '--dataset', 'cora', '--dropout', '1']);
    expectOneLineError(r, '--dropout', "'1'", '[0, 1)');
  });

  it('rejects --device tpu naming the option and the choices', async () => {
    const r = await fathom(['train', '--dataset', 'cora', '--device', 'tpu']);
    expectOneLineError(r, '--device', "'tpu'", 'cpu', 'cuda');
  });

  it('rejects --dataset nosuch naming the dataset and the available ones', async () => {
    const r = await fathom(['train', '--dataset', 'nosuch', '--epochs', '1']);
    expectOneLineError(r, /^fathom: /, "'nosuch'", 'cora');
  });

  it('rejects a non-numeric --epochs and a missing --dataset', async () => {
    expectOneLineError(await fathom(['train', '--dataset', 'cora', '--epochs', 'ten']), '--epochs', "'ten'");
    expectOneLineError(await fathom(['train', '--epochs', '1']), '--dataset');
  });

  it.runIf(!devices().cuda.available)('rejects --device cuda on a machine without a GPU, saying why', async () => {
    const r = await fathom(['train', '--dataset', 'cora', '--epochs', '1', '--device', 'cuda']);
    expectOneLineError(r, /^fathom: /, 'cuda', 'unavailable');
  });

  it('rejects an unknown command', async () => {
    expectOneLineError(await fathom(['bogus']), 'bogus');
  });
});
