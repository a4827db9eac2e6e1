import { z } from 'zod';

import { flagChoices, INITS, MODELS } from '../models/registry.js';
import { OPTIMIZERS } from '../optim/buildOptimizer.js';
import { DIAGNOSTIC_METRICS } from '../diagnostics/metrics.js';

const POS_INT = 'expected a positive integer';
const NONNEG_INT = 'expected a non-negative integer';
const posInt = () => z.int({ error: POS_INT }).positive({ error: POS_INT });
const nonNegInt = () => z.int({ error: NONNEG_INT }).nonnegative({ error: NONNEG_INT });
const range = (lo: number, hi: number, openHi = false) => {
  const msg = `expected a number in [${lo}, ${hi}${openHi ? ')' : ']'}`;
  const n = z.number({ error: msg }).gte(lo, { error: msg });
  return openHi ? n.lt(hi, { error: msg }) : n.lte(hi, { error: msg });
};
const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `expected one of ${values.join(', ')}` });
const list = <T extends z.ZodType>(item: T) => z.array(item, { error: 'expected a non-empty array' }).min(1, { error: 'expected a non-empty array' });
const aggT = () =>
  z.number({ error: 'expected a number in (0, 1]' }).gt(0, { error: 'expected a number in (0, 1]' }).lte(1, { error: 'expected a number in (0, 1]' });
const dataset = () => z.string({ error: 'expected a dataset name or folder' }).min(1, { error: 'expected a dataset name or folder' });

const names = (values: readonly string[]) => values as readonly [string, ...string[]];
const MODEL_NAMES = names(MODELS);
const INIT_NAMES = names(INITS);
const RESIDUALS = flagChoices('residual');
const NORMS = flagChoices('norm');

/** The model settings one method fixes; a grid axis of the same name varies it instead. */
const methodFields = {
  model: oneOf(MODEL_NAMES).optional(),
  init: oneOf(INIT_NAMES).optional(),
  residual: oneOf(RESIDUALS).optional(),
  aggT: aggT().optional(),
  norm: oneOf(NORMS).optional(),
  skip: z.boolean({ error: 'expected true or false' }).optional(),
};

const methodSchema = z.strictObject({
  name: z.string({ error: 'expected a method name' }).regex(/^[\w.+-]+$/, { error: 'expected a name of letters, digits, _ . + -' }),
  ...methodFields,
});

const gridSchema = z.strictObject(
  {
    depth: list(posInt()),
    model: list(oneOf(MODEL_NAMES)).optional(),
    init: list(oneOf(INIT_NAMES)).optional(),
    residual: list(oneOf(RESIDUALS)).optional(),
    aggT: list(aggT()).optional(),
    norm: list(oneOf(NORMS)).optional(),
    skip: list(z.boolean({ error: 'expected true or false' })).optional(),
    seed: list(nonNegInt()).optional(),
    dataset: list(dataset()).optional(),
  },
  { error: 'expected an object with a depth list' },
);

const sweepSchema = z.strictObject(
  {
    name: z.string({ error: 'expected a string' }).optional(),
    description: z.string({ error: 'expected a string' }).optional(),
    dataset: dataset().optional(),
    methods: list(methodSchema).optional(),
    grid: gridSchema,
    epochs: posInt().default(100),
    lr: range(0, 10).default(0.01),
    optimizer: oneOf(OPTIMIZERS).default('adam'),
    momentum: range(0, 1, true).default(0),
    hidden: posInt().default(64),
    heads: posInt().optional(),
    dropout: range(0, 1, true).optional(),
    weightDecay: range(0, 1).default(5e-4),
    patience: nonNegInt().default(0),
    normalizeFeatures: z.boolean({ error: 'expected true or false' }).default(true),
    /** Fitting test: train, report train accuracy and stop early over every labelled node (see allLabelsSplit). */
    fitAllLabels: z.boolean({ error: 'expected true or false' }).default(false),
    /** Stop a cell at the first non-finite loss or parameter (default true). */
    checkFinite: z.boolean({ error: 'expected true or false' }).default(true),
    /** Record invalid flag combinations as failed cells instead of rejecting the config. */
    skipInvalid: z.boolean({ error: 'expected true or false' }).default(false),
    diagnostics: z.strictObject({ every: posInt(), metrics: list(oneOf(DIAGNOSTIC_METRICS)).optional() }).optional(),
    /** Extra summary.csv columns: the training loss at these epochs. */
    summaryEpochs: list(posInt()).optional(),
    device: oneOf(['auto', 'cpu', 'cuda'] as const).default('auto'),
    outDir: z.string({ error: 'expected a folder path' }).min(1).default('results'),
  },
  { error: 'expected an object' },
);

export type SweepConfig = z.infer<typeof sweepSchema>;
export type SweepMethod = z.infer<typeof methodSchema>;

/**
 * Validates a parsed sweep config. Errors name the key: `sweep config: grid.depth[2]: expected a
 * positive integer, got "x"`; several problems are reported together, one per line.
 *
 * @example
 * const config = parseSweepConfig(JSON.parse(readFileSync('sweep.json', 'utf8')));
 */
export function parseSweepConfig(input: unknown): SweepConfig {
  const r = sweepSchema.safeParse(input);
  if (!r.success) throw new RangeError(r.error.issues.map((i) => `sweep config: ${describeIssue(i, input)}`).join('\n'));
  const c = r.data;
  if (!c.dataset && !c.grid.dataset) throw new RangeError('sweep config: dataset: required (or give grid.dataset)');
  if (c.dataset && c.grid.dataset) throw new RangeError('sweep config: dataset: give either dataset or grid.dataset, not both');
  if (c.methods) {
    const names = new Set<string>();
    c.methods.forEach((m, i) => {
      if (names.has(m.name)) throw new RangeError(`sweep config: methods[${i}].name: duplicate method name "${m.name}"`);
      names.add(m.name);
      for (const key of Object.keys(methodFields)) {
        if (m[key as keyof SweepMethod] !== undefined && c.grid[key as keyof SweepConfig['grid']] !== undefined) {
          throw new RangeError(`sweep config: methods[${i}].${key}: also a grid axis (grid.${key}); set it in one place`);
        }
      }
    });
  }
  return c;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
    return `${keys.join(', ')}: unknown key${keys.length > 1 ? 's' : ''}`;
  }
  const value = valueAt(input, issue.path);
  const got = value === undefined ? 'nothing' : JSON.stringify(value);
  return `${path || '(top level)'}: ${issue.message}, got ${got}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}
