import { tidy } from '../autograd/scope.js';
import type { NodeData } from '../data/NodeData.js';
import { FathomError } from '../errors/FathomError.js';
import { logSoftmax } from '../functional/logSoftmax.js';
import { nllLoss } from '../functional/nllLoss.js';
import type { NodeModel } from '../models/NodeModel.js';
import type { Optimizer } from '../optim/Optimizer.js';
import type { PartitionBatch } from '../sampling/PartitionBatch.js';
import type { PartitionLoader } from '../sampling/partitionLoader.js';
import { Tensor } from '../tensor/Tensor.js';
import { BatchFeatures, checkLoaderFits, refuseLayerFeatures } from './batchFeatures.js';
import { type AfterBackward, optimizeStep } from './optimizeStep.js';

/**
 * fit()'s training epoch on partition batches (FitOptions.batches a PartitionLoader, METIS or random parts):
 * one optimizer step per batch, the model's ordinary forward on the batch's induced subgraph,
 * the loss the NLL of the batch's training nodes. A batch without training nodes takes no step.
 * Any full-batch model trains this way. Evaluation stays full-batch.
 */
export class PartitionEpochs {
  readonly #inputs: BatchFeatures;

  constructor(
    readonly model: NodeModel,
    readonly data: NodeData,
    readonly loader: PartitionLoader,
  ) {
    checkLoaderFits(loader, data, 'splits');
    this.#inputs = new BatchFeatures(data);
  }

  /** Trains one epoch and returns the mean loss over its training nodes. */
  async run(epoch: number, optimizer: Optimizer, features: boolean, afterBackward: AfterBackward): Promise<number> {
    refuseLayerFeatures(features);
    this.model.train();
    let total = 0;
    let count = 0;
    await this.loader.prepare(); // METIS, once, off the event loop
    for (const batch of this.loader.batches(epoch)) {
      try {
        const { mask, count: n } = this.#inputs.trainMask(batch.nodeIds);
        if (n === 0) continue;
        total += this.step(batch, mask, optimizer, afterBackward) * n;
        count += n;
      } finally {
        batch.dispose();
      }
      // One batch at a time holds the event loop, not the epoch.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (count === 0) throw new FathomError(`fit: no batch of epoch ${epoch} holds a training node`, 'RANGE');
    return total / count;
  }

  private step(batch: PartitionBatch, mask: Uint8Array, optimizer: Optimizer, afterBackward: AfterBackward): number {
    const x = this.#inputs.rows(batch.nodeIds);
    const device = this.data.y.device;
    try {
      return tidy(() => {
        const y = Tensor.from(this.#inputs.labels(batch.nodeIds), [batch.numNodes], { device });
        const m = Tensor.from(mask, [batch.numNodes], { device });
        const loss = nllLoss(logSoftmax(this.model.forward(x, batch.graph)), y, m);
        optimizeStep(loss, optimizer, afterBackward);
        return loss.item();
      });
    } finally {
      x.dispose();
    }
  }
}
