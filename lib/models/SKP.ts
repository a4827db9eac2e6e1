import { Rng } from '../random/rng.js';
import { dropout } from '../functional/dropout.js';
import { relu } from '../functional/relu.js';
import type { Graph } from '../graph/Graph.js';
import { Linear } from '../nn/Linear.js';
import { SKPConv, type SKPTerm } from '../nn/SKPConv.js';
import type { SparseFeatures } from '../tensor/SparseFeatures.js';
import type { Tensor } from '../tensor/Tensor.js';
import type { Device, DType } from '../tensor/dtype.js';
import { z } from 'zod';
import type { ModelEntry } from './modelEntry.js';
import { NodeModel, type LayerFeatures } from './NodeModel.js';
import { channels, depth, modelBase, probability } from './optionSchemas.js';
import type { Parameter } from '../nn/Parameter.js';
import { requireObject } from '../errors/args.js';
import { DEPTH_RENAMES, renameOptions } from './optionAliases.js';

export interface SKPOptions {
  inChannels: number;
  hiddenChannels: number;
  outChannels: number;
  /** Number of SKP layers (default 8). */
  numLayers?: number;
  /** @deprecated The old name of numLayers (removed in the next minor version). */
  depth?: number;
  /** Aggregation of each term (default ['gcn', 'identity']). Ignored by the KP baseline. */
  terms?: readonly SKPTerm[];
  /**
   * The KP baseline: one term (terms[0], default 'gcn') per layer, with the hidden width chosen
   * so that every hidden layer holds as many weights as a K-term SKP layer: round(√K·hidden).
   */
  kp?: boolean;
  /** Hidden width of the KP baseline, overriding the parameter-matched default. */
  kpWidth?: number;
  /** Initializer of the SKP weights (default 'glorot'; 'gnn-he': N(0, 2/(K·width)), see SKPConv). */
  init?: 'glorot' | 'orthogonal' | 'gnn-he';
  /** Dropout before every SKP layer and the decoder (default 0). */
  dropout?: number;
  /** Required for learnable terms: the graph their edge parameters belong to. */
  graph?: Graph;
  seed?: number;
  dtype?: DType;
  device?: Device;
}

/**
 * The SKP network of docs/methods.md §2.3: h⁰ = ReLU(Linear_enc(X)), h^k = ReLU(SKP_k(h^{k−1})),
 * logits = Linear_dec(h^L); with `kp: true`, the single-operator KP baseline.
 *
 * Why round(√K·h) for KP rather than "doubled width": a K-term layer holds K·h² weights and a
 * one-term layer of width w holds w², so w = √K·h matches the parameter count the source asks
 * for; doubling the width would give the baseline twice as many weights per layer (K = 2).
 *
 * @example
 * using model = new SKP({ inChannels: 1433, hiddenChannels: 64, outChannels: 7, numLayers: 32, seed: 0 });
 * const logits = model.forward(x, graph);
 */
export class SKP extends NodeModel {
  readonly name: string;
  readonly encoder: Linear;
  readonly layers: SKPConv[] = [];
  readonly decoder: Linear;
  readonly dropout: number;
  readonly width: number;
  #dropoutRng: Rng;

  constructor(options: SKPOptions) {
    super();
    requireObject('SKP', 'options', options);
    options = renameOptions('SKP', options, DEPTH_RENAMES);
    const depth = options.numLayers ?? 8;
    if (!Number.isInteger(depth) || depth < 0) throw new RangeError(`SKP: numLayers must be a non-negative integer, got ${depth}`);
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new RangeError(`SKP: dropout must be in [0, 1), got ${this.dropout}`);
    const terms = options.terms ?? ['gcn', 'identity'];
    const kp = options.kp ?? false;
    this.name = kp ? 'kp' : 'skp';
    this.width = kp ? (options.kpWidth ?? Math.round(Math.sqrt(Math.max(terms.length, 2)) * options.hiddenChannels)) : options.hiddenChannels;
    const rng = new Rng(options.seed ?? 0);
    this.#dropoutRng = new Rng((options.seed ?? 0) + 0x5eed);
    // The graph of learnable terms is not part of the architecture: pass it again when loading.
    this.registerCheckpointState({ ...options, graph: undefined }, this.#dropoutRng);
    const common = { rng, dtype: options.dtype, device: options.device };
    [this.encoder, this.decoder] = this.build(() => {
      const encoder = this.registerModule('encoder', new Linear(options.inChannels, this.width, common));
      for (let l = 0; l < depth; l++) {
        const conv = new SKPConv(this.width, this.width, { ...common, terms: kp ? [terms[0] ?? 'gcn'] : terms, init: options.init, graph: options.graph });
        this.layers.push(this.registerModule(`skp${l}`, conv));
      }
      return [encoder, this.registerModule('decoder', new Linear(this.width, options.outChannels, common))] as const;
    });
  }

  /** Logits and the representations h⁰ (encoder) .. h^L of docs/methods.md §2.3, after their ReLU. */
  override forwardFeatures(x: Tensor | SparseFeatures, graph: Graph): LayerFeatures {
    let h = relu(this.encoder.forward(x));
    const features = [h];
    const drop = (t: Tensor) => dropout(t, this.dropout, { seed: this.#dropoutRng.nextUint32(), training: this.training });
    for (const conv of this.layers) {
      h = relu(conv.forward(drop(h), graph));
      features.push(h);
    }
    return { logits: this.decoder.forward(drop(h)), features };
  }

  override layerParameters(): Parameter[][] {
    return [this.encoder.parameters(), ...this.layers.map((conv) => conv.parameters())];
  }
}

function skpEntryFor(kp: boolean): ModelEntry<SKPOptions> {
  return {
    name: kp ? 'kp' : 'skp',
    summary: kp
      ? 'the single-operator KP baseline of SKP, width √K·hidden (parameter-matched)'
      : 'sums of Kronecker products: encoder → [dropout → SKPConv → ReLU] × L → decoder',
    options: z.looseObject({
      ...modelBase,
      hiddenChannels: channels(),
      numLayers: depth(0).optional(),
      kp: z.boolean().optional(),
      kpWidth: channels().optional(),
      dropout: probability().optional(),
    }),
    build: (o) => new SKP(o),
    renamedOptions: DEPTH_RENAMES,
    inits: ['glorot', 'orthogonal', 'gnn-he'],
    fromSpec: (s, io) => ({
      ...io,
      hiddenChannels: s.hidden!,
      numLayers: s.layers!,
      kp,
      dropout: s.dropout,
      seed: s.seed,
      init: s.init as SKPOptions['init'],
    }),
    defaults: { layers: 8, hidden: 64, lr: 0.01, weightDecay: 5e-4 },
  };
}

/** The registry's entries for SKP ('skp') and its KP baseline ('kp'). */
export const skpEntry = skpEntryFor(false);
export const kpEntry = skpEntryFor(true);
