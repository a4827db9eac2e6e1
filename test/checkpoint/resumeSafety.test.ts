// Resuming never loses data: a damaged newest checkpoint is reported by name, set aside as
// `*.corrupt` (never pruned) and the run continues from the newest valid one, bit for bit; the
// folder is locked by the run writing it; temporaries of every kind are cleaned at start.
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fit, type FitOptions, type NodeData } from '../../lib/index.js';
import { editCheckpoint, editJson, type EditableCheckpoint } from '../helpers/checkpointFiles.js';
import { expectRejects, smallGcn, smallNodeData } from '../helpers/apiFixtures.js';
import { FathomError } from '../../lib/errors/FathomError.js';

const CASE_MS = 10_000;
let tmp: string;
let template: string;
let reference: number[][];
let data: NodeData;

const weights = (m: { parameters(): { toArray(): ArrayLike<number> }[] }) => m.parameters().map((p) => Array.from(p.toArray()));

async function train(seed: number, options: FitOptions) {
  using model = smallGcn(data, { seed });
  const warnings: string[] = [];
  const checkpoint = options.checkpoint ? { ...options.checkpoint, onWarning: (m: string) => warnings.push(m) } : undefined;
  // The last epoch's weights (restoreBest off, so no best.safetensors either): what a resumed
  // run must reproduce bit for bit.
  const r = await fit(model, data, { patience: 0, lr: 0.02, restoreBest: false, ...options, checkpoint });
  return { r, w: weights(model), warnings };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fathom-resume-'));
  data = smallNodeData();
  reference = (await train(0, { epochs: 8 })).w;
  template = join(tmp, 'template');
  // Checkpoints of epochs 3 and 6.
  await train(0, { epochs: 6, checkpoint: { dir: template, every: 3, keep: 5 } });
});
afterAll(() => {
  data.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
function copyTemplate(): string {
  const dir = join(tmp, `case-${++n}`);
  cpSync(template, dir, { recursive: true });
  return dir;
}

type Damage = (path: string) => void;
const edit =
  (change: (f: EditableCheckpoint) => void): Damage =>
  (path) =>
    editCheckpoint(path, path, change);
const json = (key: string, change: (v: Record<string, unknown>) => unknown): Damage => edit((f) => editJson(f, key, change));
const damages: [string, Damage, string][] = [
  ['cut short', (p) => truncateSync(p, 100), 'not a valid safetensors file'],
  ['emptied', (p) => truncateSync(p, 0), '0 bytes'],
  ['overwritten with text', (p) => writeFileSync(p, 'not a checkpoint at all'), 'not a valid safetensors file'],
  [
    'holding a NaN weight',
    edit((f) => {
      const t = f.tensors['model/conv0.weight']!;
      const d = t.data.slice();
      d[0] = Number.NaN;
      f.tensors['model/conv0.weight'] = { data: d, shape: t.shape };
    }),
    "parameter 'conv0.weight' holds NaN",
  ],
  [
    'with a hex epoch',
    edit((f) => {
      f.metadata.epoch = '0x6';
    }),
    'epoch "0x6"',
  ],
  [
    'with a slot list that is not an array',
    json('optimizer', (o) => {
      o.slots = 'm,v';
    }),
    'slot list is "m,v", not an array',
  ],
  [
    'with a stepCount of 1e300',
    json('optimizer', (o) => {
      o.stepCount = 1e300;
    }),
    'stepCount 1e+300',
  ],
  [
    'without epoch reports',
    edit((f) => {
      f.metadata.metrics = '{}';
    }),
    "no 'best' epoch report",
  ],
  [
    'with a last report of another epoch',
    json('metrics', (m) => {
      (m.last as Record<string, unknown>).epoch = 5;
    }),
    'metrics.last.epoch is 5',
  ],
  [
    'with an unknown model name',
    edit((f) => {
      f.metadata['model.name'] = '__proto__';
    }),
    '',
  ],
  [
    'of another format',
    edit((f) => {
      f.metadata.format = 'something-else';
    }),
    'format is "something-else"',
  ],
];

describe('fit resuming from a folder whose newest checkpoint is damaged', () => {
  it.each(damages)(
    'reports one %s, sets it aside as .corrupt and continues from the newest valid one, bit for bit',
    async (_what, damage, problem) => {
      const dir = copyTemplate();
      const newest = join(dir, 'epoch-000006.safetensors');
      damage(newest);
      const run = await train(7, { epochs: 8, checkpoint: { dir, every: 3, keep: 1 }, resume: true });
      if (problem === '') {
        // A checkpoint whose model.name is odd is still this model's weights: nothing to set aside.
        expect(run.r.resumedFrom).toBe(6);
      } else {
        expect(run.r.resumedFrom).toBe(3);
        expect(run.warnings[0]).toContain(newest);
        expect(run.warnings[0]).toContain(problem);
        expect(run.warnings[0]).toContain(`renamed to ${newest}.corrupt`);
        expect(run.warnings.at(-1)).toContain(`continuing from ${join(dir, 'epoch-000003.safetensors')} (epoch 3)`);
        // keep: 1 pruned epoch 3 after epoch 6 was written again; the damaged file stays.
        expect(readdirSync(dir).sort()).toEqual(['epoch-000006.safetensors', 'epoch-000006.safetensors.corrupt']);
      }
      expect(run.w).toEqual(reference);
    },
    CASE_MS,
  );

  it('says so and starts from scratch when no checkpoint is valid', async () => {
    const dir = copyTemplate();
    for (const e of ['3', '6']) truncateSync(join(dir, `epoch-00000${e}.safetensors`), 10);
    const run = await train(0, { epochs: 8, checkpoint: { dir, every: 3, keep: 1 }, resume: true });
    expect(run.r.resumedFrom).toBe(0);
    expect(run.warnings).toHaveLength(3);
    expect(run.warnings[2]).toContain(`no valid checkpoint left in ${dir}: training starts from scratch`);
    expect(run.w).toEqual(reference);
    expect(readdirSync(dir).filter((f) => f.endsWith('.corrupt'))).toHaveLength(2);
  });

  it('stops with an error and moves nothing when a valid checkpoint does not fit the model', async () => {
    const dir = copyTemplate();
    using wide = smallGcn(data, { hidden: 24 });
    await expectRejects(
      fit(wide, data, { epochs: 8, checkpoint: { dir, every: 3 }, resume: true, restoreBest: false }),
      FathomError,
      join(dir, 'epoch-000006.safetensors'),
      'does not fit the model',
    );
    expect(readdirSync(dir).sort()).toEqual(['epoch-000003.safetensors', 'epoch-000006.safetensors']);
  });

  it('removes temporary files of every kind left by killed writers', async () => {
    const dir = copyTemplate();
    const temps = ['.epoch-000009.safetensors.123.abc.tmp', '.best.safetensors.123.abc.tmp', '.epoch-000006.safetensors.9.x.tmp'];
    for (const t of temps) writeFileSync(join(dir, t), 'torn');
    const run = await train(0, { epochs: 8, checkpoint: { dir, every: 3, keep: 5 }, resume: true });
    expect(run.r.resumedFrom).toBe(6);
    for (const t of temps) expect(existsSync(join(dir, t))).toBe(false);
  });
});

describe('the checkpoint folder lock', () => {
  it('refuses a folder a running process holds, with an error naming it', async () => {
    const dir = copyTemplate();
    // The parent of this test process runs as long as the test does.
    writeFileSync(join(dir, 'fathom.lock'), `${process.ppid}\n`);
    await expectRejects(
      train(0, { epochs: 8, checkpoint: { dir }, resume: true }),
      FathomError,
      `${join(dir, 'fathom.lock')} names process ${process.ppid}, which is running`,
    );
    expect(existsSync(join(dir, 'fathom.lock'))).toBe(true);
  });

  it('takes over the lock of a process that no longer runs, with a message, and releases it at the end', async () => {
    const dir = copyTemplate();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(dir, 'fathom.lock'), `${dead}\n`);
    const run = await train(0, { epochs: 8, checkpoint: { dir, every: 3 }, resume: true });
    expect(run.warnings).toEqual([`${join(dir, 'fathom.lock')}: taking over the lock of process ${dead}, which no longer runs`]);
    expect(run.w).toEqual(reference);
    expect(existsSync(join(dir, 'fathom.lock'))).toBe(false);
  });

  it('keeps a second fit in the same process out while the first runs', async () => {
    const dir = join(tmp, 'twice');
    using a = smallGcn(data);
    using b = smallGcn(data);
    const first = fit(a, data, { epochs: 6, patience: 0, checkpoint: { dir } });
    await expectRejects(fit(b, data, { epochs: 2, patience: 0, checkpoint: { dir } }), FathomError, 'this process: another fit() writes the folder');
    await first;
  });
});
