// `fathom train` and `fathom convert` on users' own files, and the bounded-loading cases, run as
// users run them: `node bin/fathom.js …` in a child process. Every refused input must end with
// exit code 1 and one error line, never a signal. Each run takes about a second; a hang is killed
// after 30 s (a margin for loaded CI machines, not a timing assertion) and fails on the signal.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, saveDataset, sbmGraph } from '../../lib/data/index.js';
import { ensureDistBuilt } from '../helpers/apiFixtures.js';
import { encodeNpy } from '../helpers/npyWriter.js';
import { type CliRun, runCli } from '../helpers/runCli.js';

let tmp: string;
beforeAll(() => {
  ensureDistBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'fathom-loadcli-'));
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const fathom = (args: string[]): Promise<CliRun> => runCli(args, { timeoutMs: 30_000 });

/** Exit code 1 (not a signal), one stderr line containing every pattern. */
function expectRefused(r: CliRun, ...patterns: (string | RegExp)[]): void {
  expect(r.status, r.stderr).toBe(1);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('convert: reading'));
  expect(lines, r.stderr).toHaveLength(1);
  for (const p of patterns) expect(lines[0]).toMatch(p);
}

/** meta.json as saveDataset writes it, the keys these tests change. */
type Meta = { num_nodes: number; num_features: number; num_classes: number; files: Record<string, { shape: number[]; bytes_uncompressed?: number }> };

/** A 50-node, 5-class graph in Fathom's folder format; `edit` may change meta.json before it is written back. */
function folder(name: string, edit?: (meta: Meta) => void): string {
  const dir = join(tmp, name);
  const g = sbmGraph({ numNodes: 50, numEdges: 200, numFeatures: 4, numClasses: 5, seed: 3 });
  saveDataset(dir, g);
  if (edit) {
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    edit(meta);
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
  }
  return dir;
}

/** A 34-node edge list (1-based, with a header) plus x.npy and y.csv. */
function edgeListFiles(): { edges: string; x: string; y: string } {
  const dir = join(tmp, 'mine');
  mkdirSync(dir, { recursive: true });
  const rows = ['src,dst'];
  for (let i = 1; i <= 34; i++) rows.push(`${i},${(i % 34) + 1}`, `${i},${((i + 4) % 34) + 1}`);
  rows.push('3,3');
  const x = Array.from({ length: 34 * 5 }, (_, i) => ((i * 7) % 11) / 11);
  writeFileSync(join(dir, 'my-edges.csv'), `${rows.join('\n')}\n`);
  writeFileSync(join(dir, 'x.npy'), encodeNpy(x, [34, 5], 'float32'));
  writeFileSync(join(dir, 'y.csv'), `${Array.from({ length: 34 }, (_, i) => i % 2).join('\n')}\n`);
  return { edges: join(dir, 'my-edges.csv'), x: join(dir, 'x.npy'), y: join(dir, 'y.csv') };
}

describe('fathom train and convert on an edge list', () => {
  it('trains on my-edges.csv with --features x.npy --labels y.csv and prints what the loader found first', async () => {
    const f = edgeListFiles();
    const r = await fathom(['train', '--dataset', f.edges, '--features', f.x, '--labels', f.y, '--epochs', '3', '--device', 'cpu']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `loaded ${f.edges} (edge-list, comma-separated, header line, ids 1-based (detected)): 34 nodes, 69 edges, 5 features, 2 classes`,
    );
    // 68 ring-like edges i→i+1 and i→i+5, none reversed; one self loop 3→3.
    expect(r.stderr).toContain('found: 1 self loop, 0 duplicate edges, 68 asymmetric pairs, 0 isolated nodes, 0 all-zero feature rows');
    expect(r.stderr).toContain('split: random fractions 0.6/0.2/0.2 (seed 0): 20 train, 7 val, 7 test');
    expect(r.stderr.indexOf('found:')).toBeLessThan(r.stderr.indexOf('train 3/3'));
    expect(r.stdout).toMatch(/epochs this run\s*\|\s*3/);
  });

  it('predicts from the checkpoint of an edge-list run with the files and split training recorded', async () => {
    const f = edgeListFiles();
    const run = join(tmp, 'edge-run');
    const json = join(tmp, 'edge-run.json');
    const flags = ['--features', f.x, '--labels', f.y, '--undirected', '--random-split', 'fractions:0.5,0.25', '--split-seed', '7'];
    const t = await fathom(['train', '--dataset', f.edges, ...flags, '--epochs', '20', '--device', 'cpu', '--checkpoint-dir', run, '--json', json]);
    expect(t.status, t.stderr).toBe(0);
    const trained = JSON.parse(readFileSync(json, 'utf8')) as { test_acc: number };
    // No dataset flag given: predict reads the same files, transforms and split from the checkpoint.
    const p = await fathom(['predict', '--checkpoint', join(run, 'best.safetensors'), '--dataset', f.edges, '--nodes', 'test', '--json', '-']);
    expect(p.status, p.stderr).toBe(0);
    const predicted = JSON.parse(p.stdout) as { accuracy: number; count: number };
    expect(predicted.accuracy).toBe(trained.test_acc);
    expect(predicted.count).toBeGreaterThan(0);
  });

  it('converts with --undirected --remove-self-loops and writes a folder that loads to the same arrays', async () => {
    const f = edgeListFiles();
    const out = join(tmp, 'converted');
    const r = await fathom([
      'convert',
      f.edges,
      out,
      '--features',
      f.x,
      '--labels',
      f.y,
      '--undirected',
      '--remove-self-loops',
      '--random-split',
      'planetoid:5,10,10',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('applied: removeSelfLoops (-1 edges), toUndirected (+68 edges)');
    expect(r.stderr).toContain('split: random Planetoid split, 5 per class / 10 val / 10 test (seed 0): 10 train, 10 val, 10 test');
    expect(r.stdout).toMatch(/^wrote .*converted: 34 nodes, 136 edges, 5 features, 2 classes/);
    const direct = loadDataset(f.edges, {
      featuresFile: f.x,
      labelsFile: f.y,
      undirected: true,
      removeSelfLoops: true,
      randomSplit: { kind: 'planetoid', perClass: 5, numVal: 10, numTest: 10 },
    });
    const back = loadDataset(out);
    for (const k of ['edgeIndex', 'x', 'y', 'trainMask', 'valMask', 'testMask'] as const) expect(back[k], k).toEqual(direct[k]);
  });

  it('names the accepted formats for a file no loader reads and for a folder without meta.json', async () => {
    writeFileSync(join(tmp, 'blob.bin'), Buffer.from([0, 1, 2, 3, 255, 0, 7]));
    expectRefused(await fathom(['train', '--dataset', join(tmp, 'blob.bin')]), /blob\.bin is in no format Fathom reads\. Accepted: .*edge list.*\.npz/);
    const dir = join(tmp, 'nometa');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'y.i32.gz'), gzipSync(Buffer.alloc(8)));
    expectRefused(await fathom(['train', '--dataset', dir]), /nometa\/meta\.json is missing .* Accepted: .*OGB node-property folder/);
  });

  it('gives the file, the line and the problem for a malformed edge list', async () => {
    const p = join(tmp, 'bad.csv');
    writeFileSync(p, `${Array.from({ length: 16 }, (_, i) => `${i},${i + 1}`).join('\n')}\n16,17,1\n`);
    expectRefused(await fathom(['train', '--dataset', p]), /^fathom: loadDataset: bad\.csv:17: expected 2 columns, got 3$/);
  });
});

describe('bounded loading', () => {
  const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;
  it.skipIf(!hasMkfifo)('refuses a data file that is a FIFO by name (needs mkfifo)', async () => {
    const dir = folder('fifo');
    rmSync(join(dir, 'y.i32.gz'));
    expect(spawnSync('mkfifo', [join(dir, 'y.i32.gz')]).status).toBe(0);
    expectRefused(await fathom(['train', '--dataset', dir]), /fifo\/y\.i32\.gz is a FIFO \(named pipe\), not a regular file/);
    const edges = join(tmp, 'edges-fifo.csv');
    expect(spawnSync('mkfifo', [edges]).status).toBe(0);
    expectRefused(await fathom(['train', '--dataset', edges]), /edges-fifo\.csv is a FIFO/);
  });

  it('refuses a symlink to /dev/zero, inside a folder and as a feature file', async () => {
    const dir = folder('devzero');
    rmSync(join(dir, 'x.f32.gz'));
    symlinkSync('/dev/zero', join(dir, 'x.f32.gz'));
    expectRefused(await fathom(['train', '--dataset', dir]), /devzero\/x\.f32\.gz is a symlink to \/dev\/zero, outside the dataset folder/);
    const f = edgeListFiles();
    const link = join(tmp, 'zero.npy');
    symlinkSync('/dev/zero', link);
    expectRefused(await fathom(['train', '--dataset', f.edges, '--features', link, '--labels', f.y]), /zero\.npy is a character device, not a regular file/);
  });

  it('refuses declared sizes over the memory budget before allocating', async () => {
    const huge = folder('huge', (m) => {
      m.num_nodes = 1e8;
      m.num_features = 1433;
      m.files.x!.shape = [1e8, 1433];
      m.files.y!.shape = [1e8];
      for (const k of ['train_mask', 'val_mask', 'test_mask']) m.files[k]!.shape = [1e8];
      for (const f of Object.values(m.files)) delete f.bytes_uncompressed;
    });
    // 573 GB of features: over any machine's budget, and over the largest array Node can hold.
    expectRefused(
      await fathom(['train', '--dataset', huge]),
      /huge\/meta\.json.*(over the memory budget|more than the largest array Node can hold|the largest array Node can hold)/,
    );
    const mid = folder('mid', (m) => {
      m.num_nodes = 1e8;
      m.num_features = 10;
      m.files.x!.shape = [1e8, 10];
      m.files.y!.shape = [1e8];
      for (const k of ['train_mask', 'val_mask', 'test_mask']) m.files[k]!.shape = [1e8];
      for (const f of Object.values(m.files)) delete f.bytes_uncompressed;
    });
    expectRefused(
      await fathom(['train', '--dataset', mid, '--max-memory', '4G']),
      /mid\/meta\.json declares 6\.70 GB of arrays \(.*features \(num_nodes x num_features x 4\) 4\.00 GB.*\), over the memory budget of 4\.29 GB/,
    );
    const small = folder('smallbudget');
    expectRefused(await fathom(['train', '--dataset', small, '--max-memory', '1k']), /over the memory budget of 1\.02 kB/);
  });

  it('refuses 1e8 declared nodes whose 1 kB files cannot hold them, without inflating', async () => {
    const dir = folder('manynodes', (m) => {
      m.num_nodes = 1e8;
      m.num_features = 1;
      m.files.x!.shape = [1e8, 1];
      m.files.y!.shape = [1e8];
      for (const k of ['train_mask', 'val_mask', 'test_mask']) m.files[k]!.shape = [1e8];
      for (const f of Object.values(m.files)) delete f.bytes_uncompressed;
    });
    expectRefused(await fathom(['train', '--dataset', dir]), /manynodes\/y\.i32\.gz is \d+ bytes of gzip, too small to hold 400000000 bytes/);
  });

  it.each([500, 5e7, 2 ** 31 - 1])('refuses num_classes = %d for 50 nodes whose labels go up to 4', async (c) => {
    const dir = folder(`classes-${c}`, (m) => (m.num_classes = c));
    // Small declarations reach the label check; huge ones are stopped earlier, by their size.
    const why =
      c === 500
        ? 'declares num_classes = 500 for 50 nodes, but the labels in y.i32.gz only go up to 4; num_classes must be at most 50 and should be 5'
        : '(over the memory budget|more than the largest array Node can hold)';
    expectRefused(await fathom(['train', '--dataset', dir]), new RegExp(`classes-${c}/meta\\.json.* ${why}`));
  });

  it('gives a clean error for meta.json nested 100,000 deep', async () => {
    const dir = folder('deep');
    writeFileSync(join(dir, 'meta.json'), `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expectRefused(await fathom(['train', '--dataset', dir]), /deep\/meta\.json nests objects and arrays more than 64 deep/);
  });

  it.each(['train', 'val'])('refuses an empty %s mask', async (which) => {
    const dir = folder(`empty-${which}`);
    writeFileSync(join(dir, `${which}_mask.u8.gz`), gzipSync(Buffer.alloc(50)));
    expectRefused(
      await fathom(['train', '--dataset', dir]),
      new RegExp(`the ${which === 'val' ? 'validation' : 'train'} mask of split 0 \\(from meta\\.json\\) selects no node`),
    );
  });

  it('refuses NaN and infinite features naming the file and the first bad row', async () => {
    const dir = folder('nanx');
    const x = new Float32Array(200).fill(0.5);
    x[4 * 7 + 2] = Number.NaN;
    writeFileSync(join(dir, 'x.f32.gz'), gzipSync(Buffer.from(x.buffer)));
    expectRefused(await fathom(['train', '--dataset', dir]), /nanx\/x\.f32\.gz: feature 2 of node 7 is NaN; features must be finite/);
    const f = edgeListFiles();
    const bad = join(tmp, 'inf.csv');
    writeFileSync(bad, `${Array.from({ length: 34 }, (_, i) => (i === 9 ? '1,inf' : '1,2')).join('\n')}\n`);
    expectRefused(await fathom(['train', '--dataset', f.edges, '--features', bad, '--labels', f.y]), /inf\.csv:10: feature 1 is inf; features must be finite/);
  });
});
