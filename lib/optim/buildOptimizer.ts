import type { Module } from '../nn/Module.js';
import { Adam } from './Adam.js';
import type { Optimizer } from './Optimizer.js';
import { SGD } from './SGD.js';

export const OPTIMIZERS = ['adam', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface OptimizerSetting {
  optimizer: OptimizerName;
  lr: number;
  weightDecay: number;
  /** SGD momentum; Adam rejects any other value than 0. */
  momentum: number;
}

/**
 * The optimizer a run's setting names, over the model's parameters (what `fathom train` and
 * sweep cells train with).
 *
 * @example
 * using opt = buildOptimizer({ optimizer: 'adam', lr: 0.01, weightDecay: 5e-4, momentum: 0 }, model);
 */
export function buildOptimizer(o: OptimizerSetting, model: Module): Optimizer {
  if (o.optimizer === 'sgd') return new SGD(model.parameters(), { lr: o.lr, momentum: o.momentum, weightDecay: o.weightDecay });
  if (o.momentum !== 0) throw new RangeError('--momentum applies to --optimizer sgd only; drop it or pass --optimizer sgd');
  return new Adam(model.parameters(), { lr: o.lr, weightDecay: o.weightDecay });
}
