import type { NodeModel } from '../models/NodeModel.js';
import type { SampledBatch } from '../sampling/SampledBatch.js';
import type { SparseFeatures } from '../tensor/SparseFeatures.js';
import type { Tensor } from '../tensor/Tensor.js';
import type { BatchFeatures } from './batchFeatures.js';

/** A sampled batch whose inputs are on the model's device (or on their way there). */
export interface StagedBatch {
  batch: SampledBatch;
  /** The feature rows of batch.nodeIds; disposed with the batch by {@link disposeStaged}. */
  x: Tensor | SparseFeatures;
}

/**
 * @internal Moves a batch's inputs to CUDA while the previous step still runs (PyG's
 * `pin_memory` + `non_blocking`): the feature rows and every block operator the model reads
 * are staged in page-locked host memory and copied on a separate copy stream, with an event the
 * compute stream waits on, so the copies overlap the kernels already queued and the host never
 * waits for them. Call it after the previous step's kernels are queued and before anything
 * reads a result back (which waits for the GPU). On CPU data it is the ordinary gather.
 */
export function stageBatch(model: NodeModel, inputs: BatchFeatures, batch: SampledBatch): StagedBatch {
  const onCuda = inputs.data.y.device === 'cuda';
  const x = inputs.rows(batch.nodeIds, onCuda);
  try {
    if (onCuda) {
      for (const block of batch.blocks) block.overlapCopies = true;
      model.prepareBlocks(batch.blocks);
    }
    return { batch, x };
  } catch (e) {
    x.dispose();
    throw e;
  }
}

/** Frees a staged batch: its feature rows and its blocks. */
export function disposeStaged(staged: StagedBatch): void {
  staged.x.dispose();
  staged.batch.dispose();
}
