// `fathom train --checkpoint-dir DIR --resume`, run as users run it: an interrupted run
// resumed to the end reports what an uninterrupted run reports.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { REPO_ROOT, ensureDistBuilt } from '../helpers/apiFixtures.js';

const BIN = join(REPO_ROOT, 'bin', 'fathom.js');
const tmp = mkdtempSync(join(tmpdir(), 'fathom-cli-ckpt-'));
beforeAll(() => ensureDistBuilt());
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `fathom train` on Texas and returns its JSON summary. */
function train(...args: string[]): Record<string, number | string> {
  const out = execFileSync(process.execPath, [BIN, 'train', '--dataset', 'texas', '--hidden', '16', '--seed', '2', '--patience', '0', '--json', '-', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, number | string>;
}

describe('fathom train with checkpoints', () => {
  it('resumes an interrupted run to the same summary as an uninterrupted one', () => {
    const dir = join(tmp, 'run');
    const full = train('--epochs', '12');
    train('--epochs', '7', '--checkpoint-dir', dir, '--checkpoint-every', '3');
    expect(readdirSync(dir).sort()).toEqual(['best.safetensors', 'epoch-000003.safetensors', 'epoch-000006.safetensors']);
    const resumed = train('--epochs', '12', '--checkpoint-dir', dir, '--checkpoint-every', '3', '--resume');
    expect(resumed).toMatchObject({ epochs_run: 6, epochs_total: 12, resumed_from: 6 });
    for (const k of ['best_epoch', 'train_loss', 'train_acc', 'val_acc', 'test_acc'] as const) expect(resumed[k]).toBe(full[k]);
  });

  it('reports a damaged newest checkpoint, sets it aside and resumes from the one before', () => {
    const dir = join(tmp, 'damaged');
    const full = train('--epochs', '9');
    train('--epochs', '7', '--checkpoint-dir', dir, '--checkpoint-every', '3');
    const newest = join(dir, 'epoch-000006.safetensors');
    truncateSync(newest, 50);
    const args = ['train', '--dataset', 'texas', '--hidden', '16', '--seed', '2', '--patience', '0', '--json', '-', '--epochs', '9'];
    const run = spawnSync(process.execPath, [BIN, ...args, '--checkpoint-dir', dir, '--checkpoint-every', '3', '--resume'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`fathom train: warning: resume: ${newest}: not a valid safetensors file`);
    expect(run.stderr).toContain(`renamed to ${newest}.corrupt`);
    expect(run.stderr).toContain(`continuing from ${join(dir, 'epoch-000003.safetensors')} (epoch 3)`);
    const resumed = JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, number>;
    expect(resumed.epochs_run).toBe(6);
    for (const k of ['best_epoch', 'train_loss', 'train_acc', 'val_acc', 'test_acc'] as const) expect(resumed[k]).toBe(full[k]);
    expect(readdirSync(dir)).toContain('epoch-000006.safetensors.corrupt');
  });

  it('refuses --resume without --checkpoint-dir', () => {
    expect(() => train('--epochs', '1', '--resume')).toThrow(/--resume needs --checkpoint-dir/);
  });
});
