// The addon in worker_threads: each Worker is its own JS environment with its own copy of
// the handle classes. Two workers and the main thread train at once, the workers exit, and
// the main thread goes on creating tensors (which used to hand out a dead worker's class).
// Workers terminated in the middle of native calls leave the process running.
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

import { loadDataset } from '../../lib/data/loadDataset.js';
import { GCN, NodeData, Tensor, fit, matmul, tidy } from '../../lib/index.js';
import { DIST_INDEX, ensureDistBuilt } from '../helpers/apiFixtures.js';

const SEED = 4;
const EPOCHS = 5;

const WORKER = new URL('./trainWorker.mjs', import.meta.url);
const TERMINATE = fileURLToPath(new URL('./terminateWorkers.mjs', import.meta.url));

function trainInWorker(): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { workerData: { index: pathToFileURL(DIST_INDEX).href, seed: SEED, epochs: EPOCHS } });
    let losses: number[] | undefined;
    w.once('message', (m: number[]) => (losses = m));
    w.once('error', reject);
    w.once('exit', (code) => (code === 0 && losses ? resolve(losses) : reject(new Error(`worker exited with code ${code}`))));
  });
}

async function trainHere(): Promise<number[]> {
  const ds = loadDataset('texas', { normalizeFeatures: true });
  using data = NodeData.from(ds);
  using model = new GCN({ inChannels: ds.numFeatures, hiddenChannels: 16, outChannels: ds.numClasses, seed: SEED });
  const r = await fit(model, data, { epochs: EPOCHS, patience: 0 });
  return r.history.map((h) => h.trainLoss);
}

beforeAll(() => ensureDistBuilt());

describe('worker threads', () => {
  it('train in two workers and the main thread at once, with identical losses for the same seed', async () => {
    const [a, b, main] = await Promise.all([trainInWorker(), trainInWorker(), trainHere()]);
    expect(a).toHaveLength(EPOCHS);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(b).toEqual(a);
    expect(main).toEqual(a);
  });

  it('leave the main thread able to create and use tensors after the workers exit', async () => {
    await Promise.all([trainInWorker(), trainInWorker()]);
    const out = tidy(() => {
      const x = Tensor.from([1, 2, 3, 4], [2, 2]);
      return Array.from(matmul(x, x).toArray());
    });
    expect(out).toEqual([7, 10, 15, 22]);
    expect(await trainHere()).toHaveLength(EPOCHS);
  });

  it('survive ten terminate() calls at random moments mid-training, and the process trains afterwards', () => {
    // In a child process: terminating a worker inside a native call used to abort the whole
    // process ("terminate called after throwing an instance of 'Napi::Error'"), every time.
    const r = spawnSync(process.execPath, [TERMINATE, pathToFileURL(DIST_INDEX).href, '10', '7'], { encoding: 'utf8', timeout: 90_000 });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as {
      terminated: number;
      live: { before: number[]; after: number[] };
      losses: number[];
    };
    // Every worker was stopped by terminate() (exit code 1), none finished on its own.
    expect(out.terminated).toBe(10);
    // The terminated workers' tensors were all freed with their environments.
    expect(out.live.after).toEqual(out.live.before);
    expect(out.losses).toHaveLength(EPOCHS);
    expect(out.losses.every(Number.isFinite)).toBe(true);
  });
});
