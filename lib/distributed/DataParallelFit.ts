import { applyCheckpoint } from '../checkpoint/applyCheckpoint.js';
import { parseCheckpoint } from '../checkpoint/parseCheckpoint.js';
import { encodeCheckpoint } from '../checkpoint/saveCheckpoint.js';
import type { NodeData } from '../data/NodeData.js';
import { FathomError } from '../errors/FathomError.js';
import { decodeSafetensors } from '../io/decodeSafetensors.js';
import type { NodeModel } from '../models/NodeModel.js';
import type { Optimizer } from '../optim/Optimizer.js';
import type { RngState } from '../random/rng.js';
import { NeighborLoader } from '../sampling/neighborLoader.js';
import type { PartitionLoader } from '../sampling/partitionLoader.js';
import { Tensor } from '../tensor/Tensor.js';
import type { StepResult, StopReason } from '../train/callbacks/Callback.js';
import { epochReports } from '../train/callbacks/epochReports.js';
import type { FitState } from '../train/callbacks/FitState.js';
import { broadcast, broadcastBytes } from './collectives.js';
import { DataParallelSteps } from './DataParallelSteps.js';
import type { DistributedFeatures } from './DistributedFeatures.js';
import { abortDistributed, currentWorld, type DistributedWorld } from './runtime.js';

const STOPS: readonly (StopReason | null)[] = [null, 'patience', 'callback'];
// An epoch's control message: stop, lr, trainAcc, valAcc, testAcc, valLoss, trainAuc, valAuc,
// testAuc (NaN without the 'roc-auc' metric), then the dropout stream (7).
const CONTROL_LENGTH = 16;
const SOURCE = 'the state rank 0 sent';

/**
 * fit()'s side of data-parallel training (FitOptions.distributed): rank 0 leads, the others
 * follow. Rank 0 runs every callback (resume, evaluation, early stopping, schedules, logging,
 * checkpoints); after fitStart it sends its whole training state (a checkpoint, in memory) to the
 * others, after every epoch its decisions (stop, the next learning rate, the metrics, the dropout
 * stream), and at the end its final weights. The ranks thus stay identical without evaluating
 * or writing anything but on rank 0. See DataParallelSteps for the steps themselves.
 */
export class DataParallelFit implements Disposable {
  readonly world: DistributedWorld;
  readonly steps: DataParallelSteps;

  constructor(
    model: NodeModel,
    data: NodeData,
    batches: NeighborLoader | PartitionLoader | undefined,
    features: 'replicated' | 'partitioned' | DistributedFeatures = 'replicated',
  ) {
    this.world = currentWorld('fit');
    if (batches && !(batches instanceof NeighborLoader)) {
      throw new FathomError(
        'fit: distributed training splits NeighborLoader batches or full-batch steps; partitionLoader batches are not split across ranks',
        'TYPE',
      );
    }
    this.steps = new DataParallelSteps(model, data, batches ?? null, this.world, features);
  }

  /** Rank 0 runs the callbacks; the other ranks only train. */
  get leader(): boolean {
    return this.world.rank === 0;
  }

  /** After fitStart: rank 0's model, optimizer, dropout stream and resume point on every rank. */
  shareStart(ctx: FitState, epochs: number): void {
    if (!this.world.mpi) return;
    const { model, optimizer } = ctx;
    const loader = this.steps.loader;
    const partitioned = this.steps.partitioned ? 1 : 0;
    using shape = Tensor.from(new Float64Array([epochs, optimizer.parameterList.length, loader?.seeds.length ?? -1, loader?.batchSize ?? -1, partitioned]));
    const mine = shape.toArray().join();
    broadcast(shape, 0);
    if (shape.toArray().join() !== mine) {
      throw new FathomError(
        `fit: rank ${this.world.rank} runs [epochs, parameters, seeds, batch size, partitioned features] = [${mine}], rank 0 [${shape.toArray().join()}]`,
        'DISTRIBUTED',
      );
    }
    const metrics = { best: ctx.best, last: ctx.last };
    const bytes = broadcastBytes(this.leader ? encodeCheckpoint({ model, optimizer, epoch: ctx.startEpoch, metrics }) : null);
    if (this.leader) return;
    const ckpt = parseCheckpoint(decodeSafetensors(bytes, SOURCE), SOURCE);
    applyCheckpoint(ckpt, model, optimizer);
    if (ckpt.epoch > 0) ctx.resume({ epoch: ckpt.epoch, ...epochReports(ckpt) });
  }

  /** Rank 0, after its epoch's callbacks: what the others need to end the same epoch alike. */
  leadEpoch(ctx: FitState, optimizer: Optimizer): void {
    if (!this.world.mpi) return;
    const r = ctx.last!;
    const rng = ctx.model.rngState;
    const stop = STOPS.indexOf(ctx.stopReason);
    const auc = [r.trainAuc, r.valAuc, r.testAuc].map((v) => v ?? Number.NaN);
    this.sendControl([stop, optimizer.lr, r.trainAcc, r.valAcc, r.testAcc, r.valLoss, ...auc, ...rngNumbers(rng)]);
  }

  /** A follower's end of the epoch: rank 0's report, learning rate and stop. True to stop. */
  followEpoch(ctx: FitState, step: StepResult, optimizer: Optimizer): boolean {
    const c = this.sendControl(new Array(CONTROL_LENGTH).fill(0));
    const auc = Number.isNaN(c[7]) ? {} : { trainAuc: c[6]!, valAuc: c[7]!, testAuc: c[8]! };
    ctx.endEpoch(step, { trainAcc: c[2]!, valAcc: c[3]!, testAcc: c[4]!, valLoss: c[5]!, ...auc });
    optimizer.lr = c[1]!;
    setRng(ctx.model, c.slice(9));
    const stop = STOPS[c[0]!];
    if (stop) ctx.stop(stop);
    return stop !== null;
  }

  /** After fitEnd (rank 0 may have restored its best weights): rank 0's weights everywhere. */
  shareEnd(model: NodeModel): void {
    if (!this.world.mpi) return;
    for (const p of model.parameters()) broadcast(p, 0);
  }

  /** An error after the ranks started talking ends the whole job (see abortDistributed). */
  fail(error: unknown): never {
    return abortDistributed(error instanceof Error ? error : new Error(String(error)));
  }

  private sendControl(values: number[]): Float64Array {
    using t = Tensor.from(new Float64Array(values));
    broadcast(t, 0);
    return t.toArray() as Float64Array;
  }

  dispose(): void {
    this.steps.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

function rngNumbers(rng: RngState | undefined): number[] {
  if (!rng) return [0, 0, 0, 0, 0, 0, 0];
  return [1, ...rng.s, rng.spare === null ? 0 : 1, rng.spare ?? 0];
}

function setRng(model: NodeModel, c: Float64Array): void {
  if (c[0] !== 1) return;
  model.setRngState({ s: [c[1]!, c[2]!, c[3]!, c[4]!], spare: c[5] === 1 ? c[6]! : null });
}
