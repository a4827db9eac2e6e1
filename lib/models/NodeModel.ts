import { saveCheckpoint } from '../checkpoint/saveCheckpoint.js';
import { BLOCK_MODELS } from './checkBlocks.js';
import type { Rng, RngState } from '../random/rng.js';
import type { Block } from '../graph/Block.js';
import type { Graph } from '../graph/Graph.js';
import { Module } from '../nn/Module.js';
import { embedNodes, type NodeSelection, type Predictions, predictNodes } from './predict.js';
import type { Parameter } from '../nn/Parameter.js';
import type { SparseFeatures } from '../tensor/SparseFeatures.js';
import type { Tensor } from '../tensor/Tensor.js';

/** A forward pass that also hands back every layer's output Z^l (what diagnostics measure). */
export interface LayerFeatures {
  logits: Tensor;
  /** One tensor [N, n_l] per layer, in order; `layerParameters()[l]` produced `features[l]`. */
  features: Tensor[];
}

/**
 * A model mapping node features [N, F] (dense, or constant SparseFeatures) on a graph to
 * logits [N, C]; what fit() trains.
 */
export abstract class NodeModel extends Module {
  abstract readonly name: string;
  /**
   * Logits [N, C]. By default the logits of forwardFeatures(), so a model that exposes its
   * layers implements the pass once; a model without per-layer features overrides this instead.
   */
  forward(x: Tensor | SparseFeatures, graph: Graph): Tensor {
    return this.forwardFeatures(x, graph).logits;
  }

  /**
   * The same forward pass as forward() (the same dropout draws, the same logits) that also
   * returns each layer's output Z^l. Models that support per-layer diagnostics override it; the
   * default says the model does not.
   *
   * @example
   * const { logits, features } = model.forwardFeatures(data.x, data.graph);
   */
  forwardFeatures(x: Tensor | SparseFeatures, graph: Graph): LayerFeatures {
    void x;
    void graph;
    throw new TypeError(`${this.name}: this model does not expose per-layer features (forwardFeatures)`);
  }

  /**
   * Class predictions in eval mode (no dropout), without gradients: the most probable class
   * and the softmax probabilities of every node, or of `nodes` (indices, or a mask with one
   * entry per node). Frees every tensor it makes; the training mode and the dropout stream are
   * left as they were. A bad `nodes` is a FathomError naming the argument.
   *
   * @example
   * const { classes, probabilities, nodes } = model.predict(data.features, data.graph, { nodes: data.masks.test });
   * console.log(`node ${nodes[0]}: class ${classes[0]} with p = ${probabilities[classes[0]]}`);
   */
  predict(x: Tensor | SparseFeatures, graph: Graph, options: { nodes?: NodeSelection } = {}): Predictions {
    return predictNodes(this, x, graph, options);
  }

  /**
   * Node embeddings: the output of the last hidden layer, the classifier's input, in eval mode
   * without gradients ([N, hidden]; the caller disposes it). Taken from forwardFeatures(): the
   * last layer output before the logits, as that reports it (for GCN and GAT, before the ReLU
   * the last layer applies). Models without forwardFeatures() throw a TypeError saying so.
   *
   * @example
   * using h = model.embed(data.features, data.graph);
   * console.log(h.shape); // [numNodes, hiddenChannels]
   */
  embed(x: Tensor | SparseFeatures, graph: Graph): Tensor {
    return embedNodes(this, x, graph);
  }

  /**
   * Logits [batch size, C] of a sampled mini-batch: `x` holds the features of every node the
   * batch reached (the first block's sources), `blocks[l]` is what layer l runs on and the last
   * block's targets are the seed nodes (see neighborLoader). Models that train on sampled batches
   * (GraphSAGE, GCN, GAT) override it; the default says the model does not.
   *
   * @example
   * const logits = model.forwardBlocks(batchX, batch.blocks);
   */
  forwardBlocks(x: Tensor | SparseFeatures, blocks: readonly Block[]): Tensor {
    void x;
    void blocks;
    throw new TypeError(`${this.name}: this model trains full-batch only; sampled batches need a model that runs on blocks (${BLOCK_MODELS.join(', ')})`);
  }

  /**
   * Builds on the model's device the block operators forwardBlocks() will read, so that a loader
   * on CUDA can copy the next batch's while the current step runs (lib/train/stageBatch.ts). The
   * default builds nothing; the models that run on blocks override it.
   */
  prepareBlocks(blocks: readonly Block[]): void {
    void blocks;
  }

  /** Whether this model overrides forwardBlocks() (trains on sampled mini-batches). */
  get acceptsBlocks(): boolean {
    return this.forwardBlocks !== NodeModel.prototype.forwardBlocks;
  }

  /** The parameters of each layer, in forwardFeatures() order (empty where unsupported). */
  layerParameters(): Parameter[][] {
    return [];
  }

  /** Whether this model overrides forwardFeatures(). */
  get hasLayerFeatures(): boolean {
    return this.forwardFeatures !== NodeModel.prototype.forwardFeatures;
  }

  #config: object | null = null;
  #dropoutRng: Rng | null = null;

  /**
   * Called by a model's constructor: the JSON-safe options that rebuild its architecture, and
   * the dropout stream a bit-exact resume must restore. Makes the model checkpointable.
   */
  protected registerCheckpointState(config: object, dropoutRng: Rng | null): void {
    this.#config = JSON.parse(JSON.stringify(config)) as object;
    this.#dropoutRng = dropoutRng;
  }

  /**
   * Called by a model that records no config (a model of your own): the dropout stream that
   * checkpoints store with the weights, so that a resumed run draws the same masks.
   *
   * @example
   * constructor() { super(); this.registerDropoutStream(this.#rng); }
   */
  protected registerDropoutStream(rng: Rng): void {
    this.#dropoutRng = rng;
  }

  /**
   * The options that rebuild this model's architecture (JSON-safe); checkpoints store it.
   *
   * @example
   * const twin = new GAT(model.config() as GATOptions);
   */
  config(): object {
    if (!this.#config) throw new TypeError(`${this.name}: this model does not record its config (not checkpointable)`);
    return JSON.parse(JSON.stringify(this.#config)) as object;
  }

  /**
   * Saves weights, config and dropout state to a safetensors file (atomically); `loadModel`
   * rebuilds the model from it.
   *
   * @example
   * model.save('gcn.safetensors'); using again = loadModel('gcn.safetensors');
   */
  save(path: string): void {
    saveCheckpoint(path, { model: this });
  }

  /** The dropout stream's state, undefined for a model without dropout. */
  get rngState(): RngState | undefined {
    return this.#dropoutRng?.getState();
  }

  setRngState(state: RngState): void {
    this.#dropoutRng?.setState(state);
  }
}
