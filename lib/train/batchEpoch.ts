import { BLOCK_MODELS } from '../models/checkBlocks.js';
import { tidy } from '../autograd/scope.js';
import type { NodeData } from '../data/NodeData.js';
import { FathomError } from '../errors/FathomError.js';
import { logSoftmax } from '../functional/logSoftmax.js';
import { nllLoss } from '../functional/nllLoss.js';
import type { NodeModel } from '../models/NodeModel.js';
import type { Optimizer } from '../optim/Optimizer.js';
import type { NeighborLoader } from '../sampling/neighborLoader.js';
import type { SampledBatch } from '../sampling/SampledBatch.js';
import { Tensor } from '../tensor/Tensor.js';
import { BatchFeatures, checkLoaderFits, refuseLayerFeatures } from './batchFeatures.js';
import { type AfterBackward, optimizeStep } from './optimizeStep.js';
import { disposeStaged, type StagedBatch, stageBatch } from './stageBatch.js';

/**
 * fit()'s training epoch on sampled mini-batches (FitOptions.batches): one optimizer step per
 * batch of the loader, the loss the NLL of the batch's seed nodes. Features and labels are
 * gathered per batch by BatchFeatures. Evaluation stays full-batch (the model's forward on the whole graph).
 */
export class BatchEpochs {
  readonly #inputs: BatchFeatures;

  constructor(
    readonly model: NodeModel,
    readonly data: NodeData,
    readonly loader: NeighborLoader,
  ) {
    if (!model.acceptsBlocks)
      throw new FathomError(`fit: batches need a model that runs on sampled blocks (${BLOCK_MODELS.join(', ')}); ${model.name} trains full-batch only`, 'TYPE');
    checkLoaderFits(loader, data, 'samples');
    this.#inputs = new BatchFeatures(data);
  }

  /**
   * Trains one epoch and returns the mean loss over its seed nodes. `afterBackward` runs after
   * every batch's backward pass (no per-layer features: diagnostics need full-batch steps).
   */
  async run(epoch: number, optimizer: Optimizer, features: boolean, afterBackward: AfterBackward): Promise<number> {
    refuseLayerFeatures(features);
    this.model.train();
    if (this.data.y.device === 'cuda') return this.runOverlapped(epoch, optimizer, afterBackward);
    let total = 0;
    let count = 0;
    for await (const batch of this.loader.batches(epoch)) {
      try {
        total += this.step(batch, optimizer, afterBackward) * batch.batchSize;
        count += batch.batchSize;
      } finally {
        batch.dispose();
      }
    }
    return total / count;
  }

  /**
   * The CUDA epoch: each step's kernels are queued, then the next batch is staged (its copies
   * run on the copy stream meanwhile, stageBatch.ts), and only then is the loss read back, which
   * waits for the GPU. Same steps, losses and order as run() on the CPU.
   */
  private async runOverlapped(epoch: number, optimizer: Optimizer, afterBackward: AfterBackward): Promise<number> {
    const batches = this.loader.batches(epoch)[Symbol.asyncIterator]();
    const stage = (batch: SampledBatch): StagedBatch => {
      try {
        return stageBatch(this.model, this.#inputs, batch);
      } catch (e) {
        batch.dispose();
        throw e;
      }
    };
    let total = 0;
    let count = 0;
    let staged: StagedBatch | null = null;
    try {
      let next = await batches.next();
      staged = next.done ? null : stage(next.value);
      while (staged) {
        const current: StagedBatch = staged;
        staged = null;
        try {
          const loss = this.queueStep(current, optimizer, afterBackward);
          try {
            next = await batches.next();
            staged = next.done ? null : stage(next.value);
            total += loss.item() * current.batch.batchSize;
            count += current.batch.batchSize;
          } finally {
            loss.dispose();
          }
        } finally {
          disposeStaged(current);
        }
      }
    } finally {
      if (staged) disposeStaged(staged);
      await batches.return?.();
    }
    return total / count;
  }

  /** One step's forward, backward and update queued on the device; returns the loss, not read back. */
  private queueStep({ batch, x }: StagedBatch, optimizer: Optimizer, afterBackward: AfterBackward): Tensor {
    return tidy(() => {
      const y = Tensor.from(this.#inputs.labels(batch.nodeIds, batch.batchSize), [batch.batchSize], { device: this.data.y.device });
      const loss = nllLoss(logSoftmax(this.model.forwardBlocks(x, batch.blocks)), y);
      optimizeStep(loss, optimizer, afterBackward);
      return loss;
    });
  }

  private step(batch: SampledBatch, optimizer: Optimizer, afterBackward: AfterBackward): number {
    const x = this.#inputs.rows(batch.nodeIds);
    try {
      return tidy(() => {
        const y = Tensor.from(this.#inputs.labels(batch.nodeIds, batch.batchSize), [batch.batchSize], { device: this.data.y.device });
        const loss = nllLoss(logSoftmax(this.model.forwardBlocks(x, batch.blocks)), y);
        optimizeStep(loss, optimizer, afterBackward);
        return loss.item();
      });
    } finally {
      x.dispose();
    }
  }
}
