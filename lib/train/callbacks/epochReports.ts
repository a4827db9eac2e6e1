import { checkpointError, type ParsedCheckpoint } from '../../checkpoint/parseCheckpoint.js';
import type { EpochReport } from '../fitTypes.js';

/**
 * The best and last epoch reports a fit() checkpoint holds in its metrics, checked: both
 * present, their epochs integers no later than the checkpoint's, the accuracies numbers in
 * [0, 1]. A checkpoint without them cannot continue a run's summary.
 *
 * @throws FathomError 'IO' naming the file and the problem.
 */
export function epochReports(ckpt: ParsedCheckpoint): { best: EpochReport; last: EpochReport } {
  const fail = (why: string): never => {
    throw checkpointError(ckpt.source, why);
  };
  const check = (key: 'best' | 'last'): EpochReport => {
    const r = ckpt.metrics[key] as Record<string, unknown> | undefined;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return fail(`its metrics hold no '${key}' epoch report (not a fit() checkpoint)`);
    for (const k of ['epoch', 'bestEpoch'] as const) {
      const v = r[k];
      if (!Number.isSafeInteger(v) || (v as number) < 1 || (v as number) > ckpt.epoch)
        fail(`metrics.${key}.${k} is ${JSON.stringify(v)}, not an epoch in [1, ${ckpt.epoch}]`);
    }
    for (const k of ['valAcc', 'bestValAcc', 'trainAcc', 'testAcc'] as const) {
      const v = r[k];
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail(`metrics.${key}.${k} is ${JSON.stringify(v)}, not an accuracy in [0, 1]`);
    }
    return r as unknown as EpochReport;
  };
  const best = check('best');
  const last = check('last');
  if (last.epoch !== ckpt.epoch) fail(`metrics.last.epoch is ${last.epoch}, the checkpoint's epoch is ${ckpt.epoch}`);
  if (best.epoch !== last.bestEpoch) fail(`metrics.best.epoch is ${best.epoch}, metrics.last.bestEpoch is ${last.bestEpoch}`);
  return { best, last };
}
