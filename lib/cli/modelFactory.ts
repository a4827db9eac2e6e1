import { GAT } from '../models/GAT.js';
import { GCN } from '../models/GCN.js';
import { LinearGNN } from '../models/LinearGNN.js';
import type { NodeModel } from '../models/NodeModel.js';
import { ResGCN, type ResGCNInit } from '../models/ResGCN.js';
import { SKP } from '../models/SKP.js';
import type { Device } from '../tensor/dtype.js';

export const MODELS = ['gcn', 'res-gcn', 'gat', 'gatv2', 'skp', 'kp', 'linear-gnn'] as const;
export type ModelName = (typeof MODELS)[number];
export const INITS = ['gnn-he', 'fixup', 'glorot', 'kaiming-uniform', 'orthogonal', 'looks-linear', 'balanced', 'balanced-x', 'balanced-o'] as const;
export type InitName = (typeof INITS)[number];
export const RESIDUALS = ['fixup', 'interpolate', 'res+', 'reversible', 'none'] as const;
export const NORMS = ['none', 'lipschitz', 'pairnorm'] as const;

/** What `fathom train` says about the model. Unset options take each model's default. */
export interface ModelSpec {
  model: ModelName;
  layers: number;
  hidden: number;
  /** Each model's own default when unset. */
  dropout?: number;
  seed: number;
  init?: InitName;
  residual?: (typeof RESIDUALS)[number];
  aggT?: number;
  norm?: (typeof NORMS)[number];
  heads?: number;
  alpha?: number;
  beta?: number;
  /** linear-gnn: the multiscale skip form (docs/methods.md §2.4). */
  skip?: boolean;
  /** res-gcn: activation checkpointing in segments of this many blocks. */
  checkpointActivations?: number;
}

const OWNERS: Record<string, readonly ModelName[]> = {
  residual: ['res-gcn'], norm: ['res-gcn'], alpha: ['res-gcn'], beta: ['res-gcn'],
  heads: ['gat', 'gatv2'], aggT: ['gcn', 'res-gcn'], skip: ['linear-gnn'], checkpointActivations: ['res-gcn'],
};
const FLAG: Record<string, string> = { residual: '--residual', norm: '--norm', alpha: '--alpha', beta: '--beta', heads: '--heads', aggT: '--agg-t', skip: '--skip', checkpointActivations: '--checkpoint-activations' };
const INITS_FOR: Record<ModelName, readonly InitName[]> = {
  gcn: ['glorot'],
  'res-gcn': ['gnn-he', 'fixup', 'glorot', 'kaiming-uniform', 'orthogonal', 'looks-linear'],
  gat: ['glorot', 'balanced', 'balanced-x', 'balanced-o'],
  gatv2: ['glorot', 'balanced', 'balanced-x', 'balanced-o'],
  skp: ['glorot', 'orthogonal'],
  kp: ['glorot', 'orthogonal'],
  'linear-gnn': ['glorot'],
};

/**
 * Rejects flag combinations that do not apply, before any data is loaded, with a message that
 * says what to change.
 *
 * @example
 * validateModelSpec({ model: 'gcn', layers: 2, hidden: 64, seed: 0, heads: 8 });  // throws: --heads is for gat
 */
export function validateModelSpec(s: ModelSpec): void {
  for (const [key, owners] of Object.entries(OWNERS)) {
    if (s[key as keyof ModelSpec] !== undefined && !owners.includes(s.model)) {
      throw new RangeError(`${FLAG[key]} applies to --model ${owners.join(' or ')}, not ${s.model}; drop it or change --model`);
    }
  }
  if (s.init && !INITS_FOR[s.model].includes(s.init)) {
    const hint = s.model === 'gcn' ? '; for other initializers of a plain stack use --model res-gcn --residual none' : '';
    throw new RangeError(`--init ${s.init} does not apply to --model ${s.model}: use one of ${INITS_FOR[s.model].join(', ')}${hint}`);
  }
  if (s.init === 'fixup' && (s.residual ?? 'fixup') !== 'fixup') {
    throw new RangeError(`--init fixup needs --residual fixup, got --residual ${s.residual}`);
  }
  if (s.init === 'looks-linear' || s.init === 'balanced-o' || s.init === 'balanced') {
    const width = s.hidden * (s.heads ?? 1);
    if (width % 2 !== 0) throw new RangeError(`--init ${s.init} needs an even hidden width (heads × channels), got ${width}: change --hidden to ${s.hidden + 1}`);
  }
  if (s.aggT !== undefined && !(s.aggT > 0 && s.aggT <= 1)) throw new RangeError(`--agg-t must be in (0, 1], got ${s.aggT}`);
  if (s.checkpointActivations !== undefined && s.residual === 'reversible') {
    throw new RangeError('--checkpoint-activations does not apply to --residual reversible (reversible blocks recompute their activations already); drop it');
  }
  if (s.checkpointActivations !== undefined && s.norm === 'lipschitz') {
    throw new RangeError('--checkpoint-activations cannot be combined with --norm lipschitz (its power iteration advances on every forward pass); drop one of them');
  }
  if (s.alpha !== undefined && s.residual !== 'interpolate') throw new RangeError('--alpha applies to --residual interpolate only');
  if (s.model === 'linear-gnn' && s.dropout !== undefined && s.dropout !== 0) {
    throw new RangeError('--model linear-gnn has no dropout: pass --dropout 0');
  }
}

/** Builds the model a validated spec describes. */
export function buildModel(s: ModelSpec, inChannels: number, outChannels: number, device: Device): NodeModel {
  validateModelSpec(s);
  const common = { inChannels, outChannels, seed: s.seed, device };
  switch (s.model) {
    case 'gcn':
      if (s.aggT !== undefined && s.aggT !== 1) throw new RangeError('--agg-t applies to --model res-gcn (the Kipf GCN uses t = 1)');
      return new GCN({ ...common, hiddenChannels: s.hidden, numLayers: s.layers, dropout: s.dropout });
    case 'res-gcn': {
      const init = (s.init === 'fixup' || !s.init ? 'gnn-he' : s.init) as ResGCNInit;
      return new ResGCN({
        ...common, hidden: s.hidden, depth: s.layers, residual: s.residual ?? 'fixup', init, zeroInitBranch: s.init === 'fixup',
        t: s.aggT, norm: s.norm, alpha: s.alpha, beta: s.beta, dropout: s.dropout,
        checkpointEvery: s.checkpointActivations,
      });
    }
    case 'gat':
    case 'gatv2': {
      const init = s.init === 'balanced' ? 'balanced-o' : (s.init ?? 'glorot');
      return new GAT({
        ...common, hiddenChannels: s.hidden, numLayers: s.layers, heads: s.heads ?? 1,
        version: s.model === 'gat' ? 'v1' : 'v2', dropout: s.dropout, init: init as 'glorot' | 'balanced-x' | 'balanced-o',
      });
    }
    case 'skp':
    case 'kp':
      return new SKP({ ...common, hiddenChannels: s.hidden, depth: s.layers, kp: s.model === 'kp', dropout: s.dropout, init: s.init as 'glorot' | 'orthogonal' | undefined });
    case 'linear-gnn':
      return new LinearGNN({ ...common, hiddenChannels: s.hidden, depth: s.layers, skip: s.skip });
  }
}
