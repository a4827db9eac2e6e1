import type { Rng, RngState } from '../data/rng.js';
import type { Graph } from '../graph/Graph.js';
import { Module } from '../nn/Module.js';
import type { SparseFeatures } from '../tensor/SparseFeatures.js';
import type { Tensor } from '../tensor/Tensor.js';

/**
 * A model mapping node features [N, F] (dense, or constant SparseFeatures) on a graph to
 * logits [N, C]; what fit() trains.
 */
export abstract class NodeModel extends Module {
  abstract readonly name: string;
  abstract forward(x: Tensor | SparseFeatures, graph: Graph): Tensor;

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
   * The options that rebuild this model's architecture (JSON-safe); checkpoints store it.
   *
   * @example
   * const twin = new GAT(model.config() as GATOptions);
   */
  config(): object {
    if (!this.#config) throw new TypeError(`${this.name}: this model does not record its config (not checkpointable)`);
    return JSON.parse(JSON.stringify(this.#config)) as object;
  }

  /** The dropout stream's state, undefined for a model without dropout. */
  get rngState(): RngState | undefined {
    return this.#dropoutRng?.getState();
  }

  setRngState(state: RngState): void {
    this.#dropoutRng?.setState(state);
  }
}
