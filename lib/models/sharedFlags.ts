import type { ModelFlag } from './modelEntry.js';

// Flags that several models own, defined once so their text and range agree wherever they apply.

export const aggTFlag: ModelFlag = {
  key: 'aggT',
  flag: '--agg-t <t>',
  description: 'residual aggregation P_t = (1 − t)I + tP, t in (0, 1]',
  value: { kind: 'real', min: 0, max: 1, openMin: true },
};

export const headsFlag: ModelFlag = { key: 'heads', flag: '--heads <n>', description: 'attention heads', value: { kind: 'int', min: 1, max: 1024 } };

/** res-gcn's interpolate weight, and the teleport (initial-residual) weight of gcnii and appnp. */
export const alphaFlag: ModelFlag = {
  key: 'alpha',
  flag: '--alpha <a>',
  description: 'res-gcn: interpolate residual weight α (default 0.6); gcnii, appnp: teleport α (default 0.1)',
  value: { kind: 'real', min: 0, max: 1 },
};
