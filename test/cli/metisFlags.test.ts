// `--partition-method`, METIS in `fathom info` and partitionLoader's refusal, run in child
// processes, with METIS present and with it made missing (FATHOM_METIS_LIBRARY naming a file that
// does not exist: the addon opens libmetis once per process).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { metisStatus } from '../../lib/sampling/metisParts.js';
import { DIST_INDEX, ensureDistBuilt } from '../helpers/apiFixtures.js';
import { type CliRun, runCli } from '../helpers/runCli.js';

const MISSING = { FATHOM_METIS_LIBRARY: '/nonexistent/libmetis.so.5', OMP_NUM_THREADS: '1' };
const TRAIN = ['train', '--dataset', 'cora', '--model', 'gcn', '--epochs', '2', '--device', 'cpu', '--partitions', '10', '--parts-per-batch', '2'];

/** A one-line error: non-zero exit, one non-empty stderr line, no stack trace. */
function expectOneLineError(r: CliRun, ...patterns: string[]): void {
  expect(r.status, r.stderr).not.toBe(0);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, r.stderr).toHaveLength(1);
  for (const p of patterns) expect(lines[0]).toContain(p);
}

let tmp: string;
beforeAll(() => {
  ensureDistBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'fathom-metis-cli-'));
}, 300_000);
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('METIS on the command line', () => {
  it('fathom info says whether METIS was found, and why not', async () => {
    const here = await runCli(['info', '--json']);
    expect(here.status, here.stderr).toBe(0);
    const status = metisStatus();
    expect((JSON.parse(here.stdout) as { metis: unknown }).metis).toEqual(status);
    const missing = await runCli(['info'], { env: MISSING });
    expect(missing.status, missing.stderr).toBe(0);
    expect(missing.stdout).toMatch(/METIS\s*\|\s*unavailable: cannot open \/nonexistent\/libmetis\.so\.5/);
  });

  it('refuses --partition-method metis without METIS in one line, and never trains on random parts instead', async () => {
    const r = await runCli([...TRAIN, '--partition-method', 'metis'], { env: MISSING, timeoutMs: 60_000 });
    expectOneLineError(r, '--partition-method metis needs METIS: cannot open /nonexistent/libmetis.so.5', 'or use --partition-method random');
  });

  it('partitionLoader refuses method metis without METIS with FathomError MISSING_MODULE, and random parts still work', () => {
    const script = `
      import { FathomError, Graph, partitionLoader } from ${JSON.stringify(DIST_INDEX)};
      const graph = Graph.fromEdgeIndex([[0, 1, 2], [1, 2, 3]], { numNodes: 4 });
      const random = partitionLoader({ graph, numParts: 2, partsPerBatch: 1 });
      console.log(random.method, random.parts(1).length);
      try {
        partitionLoader({ graph, numParts: 2, partsPerBatch: 1, method: 'metis' });
        console.log('no error');
      } catch (e) {
        console.log(e instanceof FathomError, e.code, e.message);
      }`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...MISSING } });
    expect(r.status, r.stderr).toBe(0);
    const [random, refused] = r.stdout.trim().split('\n');
    expect(random).toBe('random 2');
    expect(refused).toContain("true MISSING_MODULE partitionLoader: method 'metis' needs METIS: cannot open /nonexistent/libmetis.so.5");
    expect(refused).toContain("or use method: 'random'");
  });

  it('refuses an unknown method and the flag without --partitions', async () => {
    expectOneLineError(await runCli([...TRAIN, '--partition-method', 'kmeans']), 'kmeans', 'metis, random');
    expectOneLineError(await runCli(['train', '--dataset', 'cora', '--partition-method', 'metis']), '--partition-method needs --partitions');
  });

  it.skipIf(!metisStatus().available)(
    'trains on METIS partition batches and records the method in the summary',
    async () => {
      const out = join(tmp, 'metis.json');
      const r = await runCli([...TRAIN, '--partition-method', 'metis', '--json', out], { env: { OMP_NUM_THREADS: '1' }, timeoutMs: 100_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('METIS partitions: 10 parts, 2 per batch');
      const summary = JSON.parse(readFileSync(out, 'utf8')) as { batches: unknown; epochs_run: number };
      expect(summary.batches).toEqual({ kind: 'partitions', partitions: 10, parts_per_batch: 2, method: 'metis' });
      expect(summary.epochs_run).toBe(2);
    },
    120_000,
  );
});
