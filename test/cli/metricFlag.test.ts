// fathom train --metric roc-auc: the summary's ROC-AUCs on a binary dataset, and the refusal on a
// multi-class one.
import { describe, expect, it } from 'vitest';

import { runTrainJob, TRAIN_DEFAULTS } from '../../lib/cli/trainJob.js';
import { FathomError } from '../../lib/errors/FathomError.js';

const base = { ...TRAIN_DEFAULTS, model: 'sage', hidden: 16, epochs: 3, patience: 0, device: 'cpu' as const, compile: false };

describe('fathom train --metric', () => {
  it('reports the ROC-AUCs of the best-validation epoch on tolokers with roc-auc', async () => {
    const s = await runTrainJob({ ...base, dataset: 'tolokers', metric: 'roc-auc' });
    expect(s.metric).toBe('roc-auc');
    for (const v of [s.train_auc, s.val_auc, s.test_auc]) expect(v! > 0 && v! < 1).toBe(true);
    expect(s.val_acc).toBeGreaterThan(0);
  }, 120_000);

  it('keeps the ROC-AUCs null with the default accuracy', async () => {
    const s = await runTrainJob({ ...base, dataset: 'cora' });
    expect(s.metric).toBe('accuracy');
    expect([s.train_auc, s.val_auc, s.test_auc]).toEqual([null, null, null]);
  });

  it('refuses roc-auc on cora, a seven-class task, naming the metric and the classes', async () => {
    const e = await runTrainJob({ ...base, dataset: 'cora', metric: 'roc-auc' }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(FathomError);
    expect((e as FathomError).code).toBe('RANGE');
    expect((e as Error).message).toMatch(/fit: metric 'roc-auc' needs a binary task \(2 classes\); the data has 7/);
  });
});
