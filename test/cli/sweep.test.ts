// `fathom sweep` as users run it: config errors, and an interrupted sweep that resumes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { REPO_ROOT, ensureDistBuilt } from '../helpers/apiFixtures.js';

const BIN = join(REPO_ROOT, 'bin', 'fathom.js');
const ENV = { ...process.env, OMP_NUM_THREADS: '1', FORCE_COLOR: '0' };
let tmp: string;

beforeAll(() => {
  ensureDistBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'fathom-sweep-cli-'));
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeConfig(name: string, config: unknown): string {
  const path = join(tmp, name);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

describe('fathom sweep', () => {
  it('rejects a bad config with one line per problem, each naming its key, and trains nothing', () => {
    const config = writeConfig('bad.json', { dataset: 'cora', grid: { depth: [2, 4, 'x'], modle: ['gcn'] }, epochs: 0 });
    const r = spawnSync(process.execPath, [BIN, 'sweep', '--config', config], { encoding: 'utf8', env: ENV });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'fathom: sweep config: grid.depth[2]: expected a positive integer, got "x"',
      'sweep config: grid.modle: unknown key',
      'sweep config: epochs: expected a positive integer, got 0',
    ]);
    expect(r.stdout).toBe('');
  });

  it('names a config file that is not JSON', () => {
    const path = join(tmp, 'broken.json');
    writeFileSync(path, '{ "grid": ');
    const r = spawnSync(process.execPath, [BIN, 'sweep', '--config', path], { encoding: 'utf8', env: ENV });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^fathom: sweep config: cannot read ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
  });

  it('stops cleanly on SIGINT, keeping every finished cell, and resumes where it stopped', async () => {
    const config = writeConfig('long.json', { dataset: 'cora', epochs: 40, hidden: 16, grid: { depth: [2], seed: [0, 1, 2, 3] }, outDir: 'long' });
    const cells = join(tmp, 'long', 'cells.jsonl');
    const first = await new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'sweep', '--config', config], { env: ENV });
      let stderr = '';
      let sent = false;
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        // Interrupt while the second cell trains: the first one's line is written by then.
        if (!sent && /\[1\/4\] \S+: best test/.test(stderr)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
      child.on('error', reject);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stderr });
      });
    });
    expect(first.status, first.stderr).toBe(1);
    expect(first.stderr).toContain('fathom: sweep interrupted; the finished cells are in cells.jsonl: run the same command again to resume');
    const lines = readFileSync(cells, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThan(4);
    for (const l of lines) expect((JSON.parse(l) as { status: string }).status).toBe('ok');
    expect(readFileSync(cells, 'utf8').endsWith('\n')).toBe(true);

    const second = spawnSync(process.execPath, [BIN, 'sweep', '--config', config], { encoding: 'utf8', env: ENV });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain(`4 cells, ${lines.length} already done, ${4 - lines.length} run, 0 failed`);
    const ids = readFileSync(cells, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toEqual([0, 1, 2, 3].map((s) => `cora/gcn/depth=2/seed=${s}`));
    const summary = readFileSync(join(tmp, 'long', 'summary.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(summary).toHaveLength(5);
  });
});
