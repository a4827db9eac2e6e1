import { DistributedFeatures } from '../distributed/DistributedFeatures.js';
import { z } from 'zod';

import { didYouMean } from '../errors/didYouMean.js';
import { FathomError } from '../errors/FathomError.js';
import { Optimizer } from '../optim/Optimizer.js';
import { NeighborLoader } from '../sampling/neighborLoader.js';
import { PartitionLoader } from '../sampling/partitionLoader.js';
import type { FitOptions } from './fitTypes.js';

// fit()'s options, checked before anything runs: a mistyped key (weight_decay) would otherwise
// be ignored and the run would train without it.

const int = (min: number, what: string) => z.int({ error: `must be ${what}` }).min(min, { error: `must be ${what}` });
const posInt = () => int(1, 'a positive integer');
const nonNegative = () =>
  z.number({ error: 'must be a finite number ≥ 0' }).min(0, { error: 'must be a finite number ≥ 0' }).max(Number.MAX_VALUE, { error: 'must be finite' });
const unit = (lo: 'open' | 'closed', hi: 'open' | 'closed') => {
  const what = `must be in ${lo === 'open' ? '(' : '['}0, 1${hi === 'open' ? ')' : ']'}`;
  const n = z.number({ error: what });
  const a = lo === 'open' ? n.gt(0, { error: what }) : n.min(0, { error: what });
  return hi === 'open' ? a.lt(1, { error: what }) : a.max(1, { error: what });
};
const fn = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { error: `must be ${what}` });
const obj = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape, { error: 'must be an object' });
const bool = () => z.boolean({ error: 'must be true or false' });

const SCHEDULES = {
  step: obj({ type: z.literal('step'), stepSize: posInt(), gamma: unit('open', 'closed').optional() }),
  cosine: obj({ type: z.literal('cosine'), tMax: posInt().optional(), etaMin: nonNegative().optional() }),
  plateau: obj({
    type: z.literal('plateau'),
    factor: unit('open', 'open').optional(),
    patience: int(0, 'a non-negative integer').optional(),
    minLr: nonNegative().optional(),
    monitor: z.enum(['valLoss', 'valAcc'], { error: "must be 'valLoss' or 'valAcc'" }).optional(),
    threshold: nonNegative().optional(),
    cooldown: int(0, 'a non-negative integer').optional(),
  }),
};

const NESTED = {
  checkpoint: obj({
    dir: z.string({ error: 'must be a folder path' }).min(1, { error: 'must be a non-empty folder path' }),
    every: posInt().optional(),
    keep: posInt().optional(),
    best: bool().optional(),
    config: z.record(z.string(), z.unknown(), { error: 'must be an object' }).optional(),
    onWarning: fn('a function').optional(),
    onWrite: fn('a function').optional(),
  }),
  checkFinite: obj({ every: posInt().optional() }),
  diagnostics: obj({ every: posInt().optional(), metrics: z.array(z.string(), { error: 'must be an array of metric names' }).optional() }),
  evaluation: obj({ layerwise: bool().optional(), batchSize: posInt().optional() }),
};

const SHAPE = {
  epochs: posInt(),
  optimizer: z.instanceof(Optimizer, { error: 'must be an Optimizer (Adam, SGD)' }),
  lr: nonNegative(),
  weightDecay: nonNegative(),
  patience: int(0, 'a non-negative integer'),
  signal: z.instanceof(AbortSignal, { error: 'must be an AbortSignal' }),
  onEpoch: fn('a function'),
  checkpoint: NESTED.checkpoint,
  resume: bool(),
  checkFinite: z.union([bool(), NESTED.checkFinite], { error: 'must be true, false or { every }' }),
  diagnostics: NESTED.diagnostics,
  callbacks: z.array(z.unknown(), { error: 'must be an array' }),
  restoreBest: bool(),
  compile: z.union([bool(), obj({ cudaGraph: bool().optional() })], { error: 'must be true, false or { cudaGraph }' }),
  distributed: bool(),
  features: z.union([z.enum(['replicated', 'partitioned']), z.custom<DistributedFeatures>((v) => v instanceof DistributedFeatures)], {
    error: "must be 'replicated', 'partitioned' or a DistributedFeatures (partitionFeatures(data))",
  }),
  evaluation: NESTED.evaluation,
  metric: z.enum(['accuracy', 'roc-auc'], { error: "must be 'accuracy' or 'roc-auc'" }),
  // A custom check, not a union: the wrong kind of value is a TypeError like other instanceof options.
  batches: z.custom<NeighborLoader | PartitionLoader>((v) => v instanceof NeighborLoader || v instanceof PartitionLoader, {
    error:
      'must be a NeighborLoader (neighborLoader({ graph, nodes, fanouts, batchSize })) or a PartitionLoader (partitionLoader({ data, numParts, partsPerBatch }))',
  }),
  lrSchedule: z.discriminatedUnion('type', [SCHEDULES.step, SCHEDULES.cosine, SCHEDULES.plateau], { error: "must have type 'step', 'cosine' or 'plateau'" }),
} satisfies Record<keyof FitOptions, z.ZodType>;

const SCHEMA = z.strictObject(SHAPE).partial();

/** The option names fit() knows. */
export const FIT_OPTION_KEYS: readonly string[] = Object.keys(SHAPE);

/**
 * Checks fit()'s options before anything runs: an unknown key is a FathomError 'TYPE' with a
 * did-you-mean, a value of the wrong kind a TypeError, one out of range a RangeError, each naming
 * the option and the value. Options of other callbacks (callbacks, diagnostics.metrics) are
 * checked where they are used.
 */
export function checkFitOptions(options: object): FitOptions {
  const parsed = SCHEMA.safeParse(options);
  if (parsed.success) {
    const o = options as FitOptions;
    if (o.resume && !o.checkpoint) throw new RangeError('fit: resume needs checkpoint.dir');
    if (o.batches && o.diagnostics) throw new RangeError('fit: diagnostics need full-batch steps; drop diagnostics or batches');
    if (o.distributed && o.diagnostics) throw new RangeError('fit: diagnostics need one process; drop diagnostics or distributed');
    if (o.features !== undefined && o.features !== 'replicated') {
      const what = typeof o.features === 'string' ? `'${o.features}'` : 'a DistributedFeatures';
      if (!o.distributed) throw new RangeError(`fit: features ${what} is for distributed training; add distributed: true`);
      if (!o.batches) throw new RangeError(`fit: features ${what} feeds sampled batches; add batches (a NeighborLoader)`);
    }
    if (o.evaluation?.layerwise && o.evaluation.batchSize === undefined) throw new RangeError('fit: evaluation.layerwise needs evaluation.batchSize');
    return o;
  }
  // A mistyped key first: the missing value it leaves is only its consequence.
  const issues = parsed.error.issues;
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!;
  const path = issue.path.map(String);
  const where = path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const known = knownKeys(options, path);
    const hint = didYouMean(key, known);
    const name = where ? `${where}.${key}` : key;
    throw new FathomError(`fit: unknown option '${name}' (${hint ? `did you mean '${hint}'?` : `known: ${known.join(', ')}`})`, 'TYPE');
  }
  const value = path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], options);
  const shown = typeof value === 'string' ? `'${value}'` : typeof value === 'function' ? 'a function' : safeString(value);
  // A number of the wrong size (or not whole) is out of range; anything else is the wrong kind.
  const fraction = issue.code === 'invalid_type' && typeof value === 'number' && (issue.expected === 'int' || issue.expected === 'number');
  const wrongKind = issue.code === 'custom' || (issue.code === 'invalid_type' && !fraction);
  if (wrongKind) throw new TypeError(`fit: argument options.${where} ${issue.message}, got ${shown}`);
  throw new RangeError(`fit: ${where} ${issue.message}, got ${shown}`);
}

function knownKeys(options: object, path: string[]): string[] {
  if (path.length === 0) return [...FIT_OPTION_KEYS];
  const top = path[0] as keyof typeof NESTED | 'lrSchedule';
  if (top === 'lrSchedule') {
    const type = (options as FitOptions).lrSchedule?.type;
    return Object.keys(SCHEDULES[type as keyof typeof SCHEDULES]?.shape ?? {});
  }
  return Object.keys(NESTED[top]?.shape ?? {});
}

function safeString(v: unknown): string {
  if (v === null || v === undefined || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return 'an array';
  const name = (v as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}
