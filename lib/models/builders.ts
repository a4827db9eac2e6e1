// The model builders of the public API, `models.gcn(...)` and friends: typed options in, a
// NodeModel out, from depth 1 to 1000 and beyond (see each model class for its options).
import { DeeperGCN, type DeeperGCNOptions } from './DeeperGCN.js';
import { GAT, type GATOptions } from './GAT.js';
import { GCN, type GCNOptions } from './GCN.js';
import { GIN, type GINOptions } from './GIN.js';
import { LinearGNN, type LinearGNNOptions } from './LinearGNN.js';
import { ResGCN, type ResGCNOptions } from './ResGCN.js';
import { SKP, type SKPOptions } from './SKP.js';

/**
 * Kipf & Welling's GCN.
 *
 * @example
 * const model = models.gcn({ inChannels: 1433, hiddenChannels: 64, outChannels: 7 });
 */
export const gcn = (options: GCNOptions): GCN => new GCN(options);

/**
 * A deep residual GCN: fixup, interpolate, res+ or reversible blocks over P_t, gnn-he and other
 * initializers, lipschitz or PairNorm normalization, and activation checkpointing in segments of
 * `checkpointEvery` blocks for depth beyond what the activations of every block would fit.
 *
 * @example
 * const model = models.resGCN({ inChannels: 1433, outChannels: 7, numLayers: 256, residual: 'fixup', init: 'gnn-he' });
 * const lean = models.resGCN({ inChannels: 1433, outChannels: 7, numLayers: 1024, checkpointEvery: 32 });
 */
export const resGCN = (options: ResGCNOptions): ResGCN => new ResGCN(options);

/**
 * GATv1 or GATv2, multi-head, with glorot or balanced (BalX, BalO) initialization.
 *
 * @example
 * const model = models.gat({ inChannels: 1433, hiddenChannels: 64, outChannels: 7, numLayers: 10, version: 'v2', init: 'balanced-o' });
 */
export const gat = (options: GATOptions): GAT => new GAT(options);

/**
 * Sum-of-Kronecker-products layers (or the KP baseline with `kp: true`).
 *
 * @example
 * const model = models.skp({ inChannels: 1433, hiddenChannels: 64, outChannels: 7, numLayers: 32 });
 */
export const skp = (options: SKPOptions): SKP => new SKP(options);

/**
 * A linear GNN, plain or multiscale (skip).
 *
 * @example
 * const model = models.linearGNN({ inChannels: 1433, hiddenChannels: 64, outChannels: 7, numLayers: 4, skip: true });
 */
export const linearGNN = (options: LinearGNNOptions): LinearGNN => new LinearGNN(options);

/**
 * GIN: GINConv layers (sum aggregation, (1 + ε) self term, 2-layer MLP) and a Linear classifier.
 *
 * @example
 * const model = models.gin({ inChannels: 1433, hiddenChannels: 64, outChannels: 7, trainEps: true });
 */
export const gin = (options: GINOptions): GIN => new GIN(options);

/**
 * DeeperGCN: GENConv softmax aggregation in res+ layers, or in grouped reversible blocks.
 *
 * @example
 * const model = models.deeperGCN({ inChannels: 1433, hiddenChannels: 64, outChannels: 7, numLayers: 28 });
 */
export const deeperGCN = (options: DeeperGCNOptions): DeeperGCN => new DeeperGCN(options);
