// `fathom` run bookkeeping as users meet it: resumed runs, output paths, the feature source and
// provenance in every summary, and one meaning of --json and --out. Each command runs as
// `node bin/fathom.js …` in a child process.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { devices } from '../../lib/index.js';
import { REPO_ROOT, ensureDistBuilt } from '../helpers/apiFixtures.js';
import { runCli, type CliRun } from '../helpers/runCli.js';

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
// The commit as git itself reports it: an independent reference for the provenance.
const COMMIT = (() => {
  try {
    return existsSync(join(REPO_ROOT, '.git')) ? execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() : null;
  } catch {
    return null;
  }
})();

function fathom(args: string[], timeoutMs = 110_000): Promise<CliRun> {
  return runCli(args, { timeoutMs, env: { OMP_NUM_THREADS: '1' } });
}

/** Texas (183 nodes) trains in milliseconds per epoch: the runs below are about process and bookkeeping. */
const TEXAS = ['train', '--dataset', 'texas', '--hidden', '16', '--seed', '1', '--patience', '0'];

function json(r: CliRun): Record<string, unknown> {
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

/** A one-line error, exit 1, no stack trace, and no training started. */
function expectEarlyError(r: CliRun, ...parts: string[]): void {
  expect(r.status, r.stderr).toBe(1);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^fathom: /);
  for (const p of parts) expect(lines[0]).toContain(p);
  expect(r.stderr).not.toMatch(/ENOENT|\n\s+at\s/);
  expect(r.stdout).toBe('');
}

function expectProvenance(p: unknown, device: string): void {
  const d = devices();
  expect(p).toMatchObject({ fathom_version: VERSION, git_commit: COMMIT, device, threads: 1, blas: d.cpu.blas, deterministic: false });
  if (device === 'cpu') expect(p).toMatchObject({ gpu: null, cuda_gemm: null });
}

let tmp: string;
beforeAll(() => {
  ensureDistBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'fathom-runs-'));
}, 300_000);
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('fathom train --resume', () => {
  it('reports the restored run and exits 0 when the checkpoint is already past --epochs', async () => {
    const dir = join(tmp, 'past');
    const first = json(await fathom([...TEXAS, '--epochs', '20', '--checkpoint-dir', dir, '--json', '-']));
    const r = await fathom([...TEXAS, '--epochs', '12', '--checkpoint-dir', dir, '--resume', '--json', '-']);
    const s = json(r);
    expect(s).toMatchObject({ epochs_total: 20, epochs_run: 0, resumed_from: 20, epoch_ms_median: null });
    for (const k of ['best_epoch', 'train_loss', 'train_acc', 'val_acc', 'test_acc']) expect(s[k]).toBe(first[k]);
    expect(r.stderr).toContain(`the checkpoint in ${dir} is at epoch 20, at or past --epochs 12: nothing to train`);
    expect(r.stderr).toMatch(/epoch time \(median\)\s*\|\s*- \(no epoch run\)/);
  });

  it('counts the total epochs, the epochs of this invocation and the epoch it resumed from', async () => {
    const dir = join(tmp, 'more');
    await fathom([...TEXAS, '--epochs', '10', '--checkpoint-dir', dir, '--json', join(tmp, 'first.json')]);
    const r = await fathom([...TEXAS, '--epochs', '16', '--checkpoint-dir', dir, '--resume']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| epochs\s+\| 16\s+\|/);
    expect(r.stdout).toMatch(/\| epochs this run\s+\| 6\s+\|/);
    expect(r.stdout).toMatch(/\| resumed from epoch\s+\| 10\s+\|/);
    const again = json(await fathom([...TEXAS, '--epochs', '19', '--checkpoint-dir', dir, '--resume', '--checkpoint-every', '3', '--json', '-']));
    // The newest checkpoint is epoch 10's (every 10): the run resumed from it, not from 16.
    expect(again).toMatchObject({ epochs_total: 19, epochs_run: 9, resumed_from: 10 });
    const fresh = JSON.parse(readFileSync(join(tmp, 'first.json'), 'utf8')) as Record<string, unknown>;
    expect(fresh).toMatchObject({ epochs_total: 10, epochs_run: 10, resumed_from: 0 });
  });
});

describe('output paths are checked before any work', () => {
  const missing = () => join(tmp, 'no-such-folder', 'x.json');

  it('train --json into a missing folder fails at once, naming the flag and the folder', async () => {
    const r = await fathom([...TEXAS, '--epochs', '100000', '--json', missing()]);
    expectEarlyError(r, 'train --json', missing(), `the folder ${join(tmp, 'no-such-folder')} does not exist`);
  });

  it('train --checkpoint-dir under a file fails at once', async () => {
    writeFileSync(join(tmp, 'a-file'), '');
    expectEarlyError(
      await fathom([...TEXAS, '--epochs', '100000', '--checkpoint-dir', join(tmp, 'a-file', 'ck')]),
      'train --checkpoint-dir',
      'is not a folder',
    );
  });

  it('diagnose --json and its old spelling --out into a missing folder fail at once', async () => {
    const args = ['diagnose', '--dataset', 'texas', '--layers', '2', '--hidden', '8', '--epochs', '100000'];
    expectEarlyError(await fathom([...args, '--json', missing()]), 'diagnose --json', missing());
    const r = await fathom([...args, '--out', missing()]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`fathom: diagnose --out ${missing()}: the folder`);
  });

  it('sweep --json and a run folder under a file fail before any cell trains', async () => {
    const config = join(tmp, 'sweep.json');
    writeFileSync(config, JSON.stringify({ dataset: 'texas', epochs: 100000, hidden: 8, grid: { depth: [2] }, outDir: 'sweep-run' }));
    expectEarlyError(await fathom(['sweep', '--config', config, '--json', missing()]), 'sweep --json', missing());
    expectEarlyError(await fathom(['sweep', '--config', config, '--out', join(tmp, 'a-file', 'run')]), 'sweep --out', 'is not a folder');
    expect(existsSync(join(tmp, 'sweep-run'))).toBe(false);
  });

  it('report --out and --json into a missing folder fail before rendering', async () => {
    const run = join(tmp, 'report-run');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'cells.jsonl'), '');
    expectEarlyError(await fathom(['report', run, '--out', join(tmp, 'no-such-folder', 'r.html')]), 'report --out', 'does not exist');
    expectEarlyError(await fathom(['report', run, '--json', missing()]), 'report --json', missing());
  });
});

describe('--json means the machine-readable summary on every command', () => {
  it('diagnose --json - writes the summary with feature source and provenance to stdout, the table to stderr', async () => {
    const s = json(await fathom(['diagnose', '--dataset', 'texas', '--layers', '2', '--hidden', '8', '--metrics', 'featureScale', '--json', '-']));
    expect(s).toMatchObject({ dataset: 'texas', model: 'gcn', layers: 2, feature_source: 'file', device: 'cpu' });
    expectProvenance(s.provenance, 'cpu');
    expect((s.records as unknown[]).length).toBe(1);
  });

  it('diagnose --out FILE still writes the same JSON, with a deprecation notice on stderr', async () => {
    const file = join(tmp, 'diag.json');
    const r = await fathom(['diagnose', '--dataset', 'texas', '--layers', '2', '--hidden', '8', '--metrics', 'featureScale', '--out', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('fathom diagnose: --out FILE is deprecated and will be removed in 0.2: use --json FILE');
    expect(r.stdout).toContain('gcn × 2 on texas, at initialization');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ dataset: 'texas', feature_source: 'file' });
  });

  it('sweep --json - writes its outcome and provenance to stdout', async () => {
    const config = join(tmp, 'tiny.json');
    writeFileSync(config, JSON.stringify({ dataset: 'texas', epochs: 2, hidden: 8, grid: { depth: [2] }, outDir: 'tiny' }));
    const s = json(await fathom(['sweep', '--config', config, '--json', '-']));
    expect(s).toMatchObject({ run_dir: join(tmp, 'tiny'), total: 1, ran: 1, failed: 0, cells_jsonl: join(tmp, 'tiny', 'cells.jsonl') });
    expectProvenance(s.provenance, devices().cuda.available ? 'cuda' : 'cpu');
    const cell = JSON.parse(readFileSync(join(tmp, 'tiny', 'cells.jsonl'), 'utf8')) as Record<string, unknown>;
    expect(cell.featureSource).toBe('file');
    expect(cell.provenance).toEqual(s.provenance);
    const report = json(await fathom(['report', join(tmp, 'tiny'), '--out', join(tmp, 'tiny-report.html'), '--json', '-']));
    expect(report).toMatchObject({ html: join(tmp, 'tiny-report.html'), chart_dir: join(tmp, 'charts'), cells: 1 });
    expect(readFileSync(join(tmp, 'tiny-report.html'), 'utf8')).toContain(`<td>${VERSION}</td>`);
  }, 200_000);

  it('info --json, bare, still prints the JSON to stdout', async () => {
    const s = json(await fathom(['info', '--json']));
    expect(s).toMatchObject({ version: VERSION, git_commit: COMMIT });
  });
});

describe('feature source and provenance in the train summary', () => {
  it('says that PubMed trained on seeded random features, in the JSON, the table and a note', async () => {
    const r = await fathom(['train', '--dataset', 'pubmed', '--hidden', '8', '--epochs', '1', '--patience', '0', '--device', 'cpu', '--json', '-']);
    const s = json(r);
    expect(s.feature_source).toBe('random');
    expect(r.stderr).toMatch(/\| features\s+\| random \(seed 42; no feature file/);
    expect(r.stderr).toContain('pubmed ships no features; it trained on seeded random features (seed 42)');
  });

  it('records file features, the version, the commit, threads and BLAS for Texas', async () => {
    const r = await fathom([...TEXAS, '--epochs', '2', '--device', 'cpu', '--json', '-']);
    const s = json(r);
    expect(s.feature_source).toBe('file');
    expectProvenance(s.provenance, 'cpu');
    expect(r.stderr).toMatch(/\| features\s+\| file\s+\|/);
    expect(r.stderr).toContain(`| build `);
    expect(r.stderr).not.toContain('random features');
  });
});
