import { backward } from '../autograd/backward.js';
import { BLOCK_MODELS } from '../models/checkBlocks.js';
import { keep, tidy } from '../autograd/scope.js';
import type { NodeData } from '../data/NodeData.js';
import { FathomError } from '../errors/FathomError.js';
import { logSoftmax } from '../functional/logSoftmax.js';
import { nllLoss } from '../functional/nllLoss.js';
import type { NodeModel } from '../models/NodeModel.js';
import type { Optimizer } from '../optim/Optimizer.js';
import type { NeighborLoader } from '../sampling/neighborLoader.js';
import { NeighborSampler } from '../sampling/NeighborSampler.js';
import type { SampledBatch } from '../sampling/SampledBatch.js';
import { Tensor } from '../tensor/Tensor.js';
import { BatchFeatures, checkLoaderFits, refuseLayerFeatures } from '../train/batchFeatures.js';
import { allReduceScaled } from './collectives.js';
import { DistributedFeatures } from './DistributedFeatures.js';
import { distributedEvaluate } from './distributedEvaluate.js';
import type { FitMetric, Metrics } from '../train/evaluate.js';
import { partitionFeatures } from './partitionFeatures.js';
import type { DistributedWorld } from './runtime.js';
import { shareOf } from './shareOf.js';

type AfterBackward = (loss: Tensor, features: null) => void;

const NO_NODES = new Int32Array(0);

/**
 * The training steps of data-parallel fit(). Each step has a GLOBAL batch, the one a single
 * process would train on: a NeighborLoader batch, or (without batches) every training node. Its
 * seed nodes are split across the ranks (shareOf); each rank samples and runs only its share,
 * its loss the mean over its n_r seeds. The gradients are summed over the ranks weighted by
 * n_r / B, which is the gradient of the global batch's mean loss, so the optimizer, fed the same
 * gradient on every rank, takes the same step everywhere. Without batches every rank runs the
 * full-graph forward (the loss split, not the work): a full-batch model gives the same result
 * under mpirun as in one process, but no speed-up. With partitioned features (a
 * DistributedFeatures store) a batch's input rows are fetched from the ranks that own them, every
 * rank joining the exchange at every step, those without seeds with no ids.
 */
export class DataParallelSteps implements Disposable {
  readonly #inputs: BatchFeatures | null;
  readonly #share: { mask: Tensor; count: number; total: number } | null;
  #store: DistributedFeatures | null;
  #ownStore = false;
  #fullSampler: NeighborSampler | null = null;

  constructor(
    readonly model: NodeModel,
    readonly data: NodeData,
    readonly loader: NeighborLoader | null,
    readonly world: DistributedWorld,
    readonly features: 'replicated' | 'partitioned' | DistributedFeatures = 'replicated',
  ) {
    this.#store = features instanceof DistributedFeatures ? features : null;
    if (this.#store) {
      if (this.#store.disposed) throw new FathomError('fit: options.features, a DistributedFeatures, was disposed', 'TYPE');
      if (this.#store.numNodes !== data.graph.numNodes || this.#store.numFeatures !== data.numFeatures) {
        throw new FathomError(
          `fit: options.features holds ${this.#store.numNodes} nodes × ${this.#store.numFeatures} features; the data has ${data.graph.numNodes} × ${data.numFeatures}`,
          'SHAPE',
        );
      }
    }
    if (loader) {
      if (!model.acceptsBlocks)
        throw new FathomError(
          `fit: batches need a model that runs on sampled blocks (${BLOCK_MODELS.join(', ')}); ${model.name} trains full-batch only`,
          'TYPE',
        );
      checkLoaderFits(loader, data, 'samples');
      this.#inputs = new BatchFeatures(data);
      this.#share = null;
    } else {
      this.#inputs = null;
      this.#share = trainShare(data, world);
    }
  }

  /** Whether the steps read partitioned features. */
  get partitioned(): boolean {
    return this.features !== 'replicated';
  }

  /** With features 'partitioned': splits the data's features across the ranks (a collective, once). */
  async prepare(): Promise<void> {
    if (this.features !== 'partitioned' || this.#store) return;
    this.#store = await partitionFeatures(this.data);
    this.#ownStore = true;
  }

  /**
   * With partitioned features, the epoch's metrics computed by every rank together (see
   * distributedEvaluate): no rank needs the whole feature matrix. A collective.
   */
  async evaluate(metric: FitMetric = 'accuracy'): Promise<Metrics> {
    const loader = this.loader!;
    this.#fullSampler ??= new NeighborSampler(this.data.graph, { fanouts: loader.fanouts.map(() => -1) });
    return distributedEvaluate(this.model, this.data, this.world, {
      store: this.#store!,
      sampler: this.#fullSampler,
      inputs: this.#inputs!,
      batchSize: loader.batchSize,
      metric,
    });
  }

  /** Trains one epoch; returns the mean loss over all ranks' seed nodes (the same on every rank). */
  async run(epoch: number, optimizer: Optimizer, features: boolean, afterBackward: AfterBackward): Promise<number> {
    refuseLayerFeatures(features);
    this.model.train();
    if (!this.loader) {
      const { mask, count, total } = this.#share!;
      return (
        this.exchangeAndStep(count, total, optimizer, afterBackward, () =>
          nllLoss(logSoftmax(this.model.forward(this.data.features, this.data.graph)), this.data.y, mask),
        ) / total
      );
    }
    const loader = this.loader;
    const order = loader.seedOrder(epoch);
    const n = loader.numBatches;
    const size = (b: number) => Math.min(loader.batchSize, order.length - b * loader.batchSize);
    const draw = (b: number): Promise<SampledBatch | null> => {
      const [lo, hi] = shareOf(size(b), this.world.rank, this.world.worldSize);
      if (hi === lo) return Promise.resolve(null);
      const mine = order.subarray(b * loader.batchSize + lo, b * loader.batchSize + hi);
      // The global batch's key: a node at the same hop draws what it draws in one process.
      const p = loader.sampler.sampleAsync(mine, { seed: loader.seed, batch: (epoch - 1) * n + b });
      p.catch(() => undefined);
      return p;
    };
    let total = 0;
    let next = draw(0);
    for (let b = 0; b < n; b++) {
      const batch = await next;
      if (b + 1 < n) next = draw(b + 1);
      try {
        total += this.blockStep(batch, size(b), optimizer, afterBackward);
      } finally {
        batch?.dispose();
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return total / loader.seeds.length;
  }

  private blockStep(batch: SampledBatch | null, globalSize: number, optimizer: Optimizer, afterBackward: AfterBackward): number {
    const x = this.#store ? this.#gathered(batch) : batch ? this.#inputs!.rows(batch.nodeIds) : null;
    try {
      return this.exchangeAndStep(batch?.batchSize ?? 0, globalSize, optimizer, afterBackward, () => {
        const y = Tensor.from(this.#inputs!.labels(batch!.nodeIds, batch!.batchSize), [batch!.batchSize], { device: this.data.y.device });
        return nllLoss(logSoftmax(this.model.forwardBlocks(x!, batch!.blocks)), y);
      });
    } finally {
      x?.dispose();
    }
  }

  /** The batch's input rows through the store: a rank without seeds still joins the exchange. */
  #gathered(batch: SampledBatch | null) {
    const rows = this.#store!.gather(batch?.nodeIds ?? NO_NODES);
    if (batch) return this.#inputs!.asInput(rows);
    rows.dispose();
    return null;
  }

  /**
   * One step: this rank's loss over its `count` seeds (no forward when it has none), backward,
   * the gradient exchange, the optimizer step. Returns the sum of the loss over all ranks' seeds.
   */
  private exchangeAndStep(count: number, globalSize: number, optimizer: Optimizer, afterBackward: AfterBackward, lossFn: () => Tensor): number {
    return tidy(() => {
      const loss = count > 0 ? lossFn() : null;
      if (loss) backward(loss);
      const params = optimizer.parameterList;
      // First which parameters got a gradient anywhere (and the loss): one that none did stays
      // without one, as in one process, so that the optimizer skips it there too.
      const stats = Tensor.from(new Float64Array([loss ? loss.item() * count : 0, count, ...params.map((p) => (p.grad ? 1 : 0))]));
      allReduceScaled([stats], 1);
      const s = stats.toArray();
      if (s[1] !== globalSize)
        throw new FathomError(`fit: the ranks trained ${s[1]} seed nodes in a step of ${globalSize}; their batches differ`, 'DISTRIBUTED');
      const grads: Tensor[] = [];
      params.forEach((p, i) => {
        if (s[2 + i] === 0) return;
        p.grad ??= keep(Tensor.zeros(p.shape, { dtype: p.dtype, device: p.device }));
        grads.push(p.grad);
      });
      allReduceScaled(grads, count / globalSize);
      if (loss) afterBackward(loss, null);
      optimizer.step();
      optimizer.zeroGrad();
      return s[0]!;
    });
  }

  dispose(): void {
    this.#share?.mask.dispose();
    this.#fullSampler?.dispose();
    if (this.#ownStore) this.#store?.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** This rank's share of the training nodes, as a mask on the data's device. */
function trainShare(data: NodeData, world: DistributedWorld): { mask: Tensor; count: number; total: number } {
  const train = data.masks.train;
  const ids: number[] = [];
  for (let i = 0; i < train.length; i++) if (train[i]) ids.push(i);
  if (ids.length === 0) throw new FathomError('fit: the data has no training nodes', 'RANGE');
  const [lo, hi] = shareOf(ids.length, world.rank, world.worldSize);
  const mask = new Uint8Array(train.length);
  for (let k = lo; k < hi; k++) mask[ids[k]!] = 1;
  return { mask: Tensor.from(mask, [train.length], { device: data.y.device }), count: hi - lo, total: ids.length };
}
