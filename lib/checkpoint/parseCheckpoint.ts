import { FathomError } from '../errors/FathomError.js';
import type { StFile, StTensor } from '../io/safetensorsFormat.js';
import { Rng, type RngState } from '../random/rng.js';
import { CHECKPOINT_FORMAT, MAX_EPOCH, MAX_STEP_COUNT, MODEL_PREFIX, OPTIMIZER_PREFIX, parseJsonEntry, type CheckpointInfo } from './checkpointFormat.js';

/** The state names each optimizer stores per parameter (a Map: 'constructor' finds nothing). */
export const OPTIMIZER_SLOTS = new Map<string, readonly string[]>([
  ['Adam', ['m', 'v']],
  ['SGD', ['buf']],
]);

export interface ParsedOptimizer {
  name: string;
  hyper: Record<string, unknown>;
  stepCount: number;
  /** The model parameter each slot belongs to, by name (null in files that do not record it). */
  params: string[] | null;
  slots: (Map<string, StTensor> | null)[];
}

/** A checkpoint whose every field was checked on its own (before it meets a model). */
export interface ParsedCheckpoint extends CheckpointInfo {
  source: string;
  modelName: string | null;
  /** The architecture config, null for a file that holds weights only. */
  modelConfig: Record<string, unknown> | null;
  modelRng: RngState | null;
  /** Model parameters by dotted name: f32 or f64, finite. */
  weights: Map<string, StTensor>;
  optimizer: ParsedOptimizer | null;
}

/** A FathomError 'IO' naming the file and the problem. */
export function checkpointError(source: string, why: string): FathomError {
  return new FathomError(`${source}: not a usable checkpoint: ${why}`, 'IO');
}

/**
 * Parses and bounds everything a checkpoint holds before anything is built or assigned from it:
 * the format; epoch and step count as plain decimal safe integers in range; JSON entries of the
 * right kind; Rng states; model tensors of a float dtype with finite values; optimizer slots
 * as an array (one per parameter), each holding exactly its optimizer's tensors, finite, of its
 * parameter's dtype and shape, Adam's `v` never negative; no tensor the layout does not name.
 *
 * @throws FathomError 'IO' naming `source` and the first problem.
 * @example
 * const ckpt = parseCheckpoint(readSafetensors(path), path);
 */
export function parseCheckpoint(file: StFile, source: string): ParsedCheckpoint {
  const fail = (why: string): never => {
    throw checkpointError(source, why);
  };
  const meta = file.metadata;
  if (meta.format !== CHECKPOINT_FORMAT) fail(`format is ${JSON.stringify(meta.format)}, expected '${CHECKPOINT_FORMAT}'`);
  const epoch = meta.epoch === undefined ? 0 : strictInteger(meta.epoch, MAX_EPOCH, 'epoch', fail, true);
  const metrics = objectEntry(meta, 'metrics', fail) ?? {};
  const config = objectEntry(meta, 'config', fail) ?? {};
  const rngState = rngEntry(meta, 'rng', fail);
  const callbackState = objectEntry(meta, 'callbacks', fail) ?? {};
  const modelRng = rngEntry(meta, 'model.rng', fail);
  const modelName = meta['model.name'] ?? null;
  const modelConfig = objectEntry(meta, 'model.config', fail);
  const weights = new Map<string, StTensor>();
  for (const [key, t] of file.tensors) {
    if (!key.startsWith(MODEL_PREFIX)) continue;
    const name = key.slice(MODEL_PREFIX.length);
    if (t.dtype !== 'F32' && t.dtype !== 'F64') fail(`parameter '${name}' is ${t.dtype}, not F32 or F64`);
    checkFinite(t, `parameter '${name}'`, fail);
    weights.set(name, t);
  }
  const optimizer = meta.optimizer === undefined ? null : parseOptimizer(file, weights, fail);
  const stray = [...file.tensors.keys()].find((k) => !k.startsWith(MODEL_PREFIX) && !k.startsWith(OPTIMIZER_PREFIX));
  if (stray !== undefined) fail(`tensor '${stray}' is neither a model parameter nor optimizer state`);
  return { source, epoch, metrics, config, rngState, callbackState, modelName, modelConfig, modelRng, weights, optimizer };
}

/**
 * A non-negative integer at most `max`: a JSON number, or (metadata strings) written in plain
 * decimal: '16', not '0x10', '1e1' or ' 16'.
 */
export function strictInteger(value: unknown, max: number, what: string, fail: (why: string) => never, text = false): number {
  const n = text
    ? typeof value === 'string' && /^(0|[1-9][0-9]{0,15})$/.test(value)
      ? Number(value)
      : Number.NaN
    : typeof value === 'number'
      ? value
      : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0 || n > max) fail(`${what} ${JSON.stringify(value)} is not an integer in [0, ${max}]`);
  return n;
}

function objectEntry(meta: Record<string, string>, key: string, fail: (why: string) => never): Record<string, unknown> | null {
  const v = parseJsonEntry(meta, key, fail, true);
  if (v === undefined) return null;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`metadata '${key}' is not a JSON object`);
  return v as Record<string, unknown>;
}

function rngEntry(meta: Record<string, string>, key: string, fail: (why: string) => never): RngState | null {
  const v = parseJsonEntry(meta, key, fail, true);
  if (v === undefined || v === null) return null;
  try {
    // A scratch generator validates the state with the rules the real one applies.
    new Rng(1).setState(v as RngState);
  } catch (e) {
    fail(`metadata '${key}' is not an Rng state (${(e as Error).message})`);
  }
  const s = v as RngState;
  return { s: [...s.s], spare: s.spare ?? null };
}

function checkFinite(t: StTensor, what: string, fail: (why: string) => never, nonNegative = false): void {
  const a = t.data;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    // x - x is NaN exactly for NaN and ±Inf.
    if (x - x !== 0) fail(`${what} holds ${x} at element ${i}`);
    if (nonNegative && x < 0) fail(`${what} holds ${x} at element ${i}, and it must not be negative`);
  }
}

function parseOptimizer(file: StFile, weights: Map<string, StTensor>, fail: (why: string) => never): ParsedOptimizer {
  const o = parseJsonEntry(file.metadata, 'optimizer', fail);
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return fail("metadata 'optimizer' is not a JSON object");
  const { name, hyper, stepCount, params, slots } = o as Record<string, unknown>;
  const slotNames = typeof name === 'string' ? OPTIMIZER_SLOTS.get(name) : undefined;
  if (!slotNames) fail(`unknown optimizer ${JSON.stringify(name)}: expected one of ${[...OPTIMIZER_SLOTS.keys()].join(', ')}`);
  if (typeof hyper !== 'object' || hyper === null || Array.isArray(hyper)) fail('its optimizer hyperparameters are not a JSON object');
  const steps = strictInteger(stepCount, MAX_STEP_COUNT, 'optimizer stepCount', fail);
  if (!Array.isArray(slots)) fail(`its optimizer slot list is ${JSON.stringify(slots)?.slice(0, 40)}, not an array`);
  const list = slots as unknown[];
  if (params !== undefined && (!Array.isArray(params) || params.length !== list.length || !params.every((p) => typeof p === 'string'))) {
    fail(`its optimizer parameter list is not ${list.length} names (one per slot)`);
  }
  const used = new Set<string>();
  const parsed = list.map((names, i) => {
    if (!Array.isArray(names) || !names.every((k) => typeof k === 'string')) fail(`optimizer slot ${i} is not a list of state names`);
    if ((names as string[]).length === 0) return null;
    if ([...(names as string[])].sort().join() !== [...slotNames!].sort().join()) {
      fail(`optimizer slot ${i} holds [${(names as string[]).join(', ')}], ${name as string} keeps [${slotNames!.join(', ')}]`);
    }
    const owner = params === undefined ? undefined : weights.get((params as string[])[i]!);
    if (params !== undefined && !owner) fail(`optimizer slot ${i} belongs to '${(params as string[])[i]}', which is not a parameter in the file`);
    const slot = new Map<string, StTensor>();
    for (const k of slotNames!) {
      const key = `${OPTIMIZER_PREFIX}${i}/${k}`;
      const t = file.tensors.get(key);
      if (!t) return fail(`optimizer tensor ${i}/${k} is missing`);
      used.add(key);
      if (owner && (t.dtype !== owner.dtype || t.shape.join() !== owner.shape.join())) {
        fail(
          `optimizer tensor ${i}/${k} is ${t.dtype}[${t.shape.join(', ')}], its parameter '${(params as string[])[i]}' is ${owner.dtype}[${owner.shape.join(', ')}]`,
        );
      }
      checkFinite(t, `optimizer tensor ${i}/${k}`, fail, name === 'Adam' && k === 'v');
      slot.set(k, t);
    }
    return slot;
  });
  const stray = [...file.tensors.keys()].find((k) => k.startsWith(OPTIMIZER_PREFIX) && !used.has(k));
  if (stray !== undefined) fail(`tensor '${stray}' is not part of the optimizer state the metadata lists`);
  return { name: name as string, hyper: hyper as Record<string, unknown>, stepCount: steps, params: (params as string[] | undefined) ?? null, slots: parsed };
}
