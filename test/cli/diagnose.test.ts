// `fathom diagnose`, run as users run it: `node bin/fathom.js diagnose …` in a child process.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIAGNOSTIC_METRICS } from '../../lib/diagnostics/metrics.js';
import { ensureDistBuilt } from '../helpers/apiFixtures.js';
import { runCli, type CliRun } from '../helpers/runCli.js';

function fathom(args: string[], timeoutMs = 110_000): Promise<CliRun> {
  return runCli(args, { timeoutMs, env: { OMP_NUM_THREADS: '1' } });
}

let tmp: string;
beforeAll(() => {
  ensureDistBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'fathom-diagnose-'));
}, 300_000);
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('fathom diagnose', () => {
  it('prints a per-layer table and writes every metric of every layer as JSON', async () => {
    const out = join(tmp, 'diag.json');
    const r = await fathom([
      'diagnose',
      '--dataset',
      'cora',
      '--model',
      'res-gcn',
      '--layers',
      '4',
      '--hidden',
      '16',
      '--init',
      'gnn-he',
      '--residual',
      'fixup',
      '--json',
      out,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('res-gcn × 4 on cora, at initialization');
    for (const h of ['layer', 'scale', 'cos', 'erank', '‖∂Z‖']) expect(r.stdout).toContain(h);
    // Z^0 (encoder) .. Z^4: five layer rows.
    expect(r.stdout.split('\n').filter((l) => /^\|\s+\d+ \|/.test(l))).toHaveLength(5);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { records: { epoch: number; layers: Record<string, number>[] }[] };
    expect(json.records.map((x) => x.epoch)).toEqual([0]);
    expect(json.records[0].layers).toHaveLength(5);
    const generic = DIAGNOSTIC_METRICS.filter((m) => !m.startsWith('gatBalance') && m !== 'kappa' && m !== 'lossStar');
    for (const row of json.records[0].layers) for (const m of generic) expect(Number.isFinite(row[m]), m).toBe(true);
  });

  it('diagnoses again after --epochs of training, where the weights have moved', async () => {
    const out = join(tmp, 'trained.json');
    const r = await fathom([
      'diagnose',
      '--dataset',
      'cora',
      '--model',
      'gat',
      '--layers',
      '3',
      '--hidden',
      '8',
      '--epochs',
      '2',
      '--metrics',
      'featureScale,relativeChange,gatBalanceMax',
      '--json',
      out,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('after 2 epochs');
    const json = JSON.parse(readFileSync(out, 'utf8')) as { records: { epoch: number; layers: Record<string, number>[] }[] };
    expect(json.records.map((x) => x.epoch)).toEqual([0, 2]);
    expect(json.records[1].layers[0].relativeChange).toBeGreaterThan(0);
    expect(json.records[0].layers[0].gatBalanceMax).toBeGreaterThanOrEqual(0);
    expect(Object.keys(json.records[0].layers[0]).sort()).toEqual(['featureScale', 'gatBalanceMax', 'layer', 'relativeChange']);
  });

  it('rejects an unknown metric with a one-line error naming it', async () => {
    const r = await fathom(['diagnose', '--dataset', 'cora', '--metrics', 'featureScale,bogus']);
    expect(r.status).not.toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("unknown metric 'bogus'");
  });
});
