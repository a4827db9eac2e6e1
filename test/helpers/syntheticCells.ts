import type { CellRecord, LayerRow } from '../../lib/experiments/cellRecord.js';

/** The per-layer metrics every synthetic diagnostics row carries. */
export const SYNTHETIC_METRICS = ['featureScale', 'meanCosine', 'effectiveRank', 'gradFeatureNorm'] as const;

/**
 * Hand-made cell records, shaped as `fathom sweep` writes them (methods × depths × seeds, 6
 * epochs, diagnostics at epochs 0 and 6), for report tests that need no training. Values are
 * smooth functions of depth, layer and epoch so the charts have something to show.
 */
export function syntheticCells(o: { methods?: string[]; depths?: number[]; seeds?: number[]; failed?: boolean } = {}): CellRecord[] {
  const methods = o.methods ?? ['plain', 'residual'];
  const depths = o.depths ?? [4, 8];
  const seeds = o.seeds ?? [0, 1];
  const out: CellRecord[] = [];
  for (const method of methods) {
    for (const depth of depths) {
      for (const seed of seeds) {
        const decay = method === 'plain' ? 0.6 : 0.95;
        const history = Array.from({ length: 6 }, (_, i) => {
          const e = i + 1;
          const acc = Math.min(0.95, 0.3 + 0.1 * e * decay + 0.01 * seed);
          return { epoch: e, trainLoss: 2 * Math.exp(-0.3 * e * decay), trainAcc: acc, valAcc: acc - 0.1, testAcc: acc - 0.12 };
        });
        const snapshot = (epoch: number) => ({
          epoch,
          layers: Array.from(
            { length: depth },
            (_, l): LayerRow => ({
              layer: l,
              featureScale: decay ** l * (1 + 0.1 * epoch),
              meanCosine: 1 - decay ** l,
              effectiveRank: 16 * decay ** l + 1,
              gradFeatureNorm: 1e-3 * (2 - decay) ** (depth - l),
            }),
          ),
        });
        const last = history[history.length - 1];
        out.push({
          id: `cora/${method}/depth=${depth}/seed=${seed}`,
          params: { dataset: 'cora', method, model: method === 'plain' ? 'gcn' : 'res-gcn', depth, seed },
          status: 'ok',
          epochsRun: 6,
          final: { ...last },
          best: { ...last },
          history,
          diagnostics: [snapshot(0), snapshot(6)],
          wallMs: 1000 + depth,
          stepMsMedian: 10 + depth,
          finishedAt: '2026-01-01T00:00:00.000Z',
        });
      }
    }
  }
  if (o.failed) {
    out.push({
      id: 'cora/plain/depth=64/seed=0',
      params: { dataset: 'cora', method: 'plain', model: 'gcn', depth: 64, seed: 0 },
      status: 'failed',
      error: 'fit: the training loss is NaN at step 2; training stopped',
      epochsRun: 1,
      final: { epoch: 1, trainLoss: 2.5, trainAcc: 0.1, valAcc: 0.1, testAcc: 0.1 },
      history: [{ epoch: 1, trainLoss: 2.5, trainAcc: 0.1, valAcc: 0.1, testAcc: 0.1 }],
      diagnostics: [],
      wallMs: 50,
      stepMsMedian: 40,
      finishedAt: '2026-01-01T00:00:00.000Z',
    });
  }
  return out;
}
