// The one model registry: name → options schema, builder, flags and defaults. The CLI, sweeps
// and checkpoints all read it; adding a model is its file (class and entry) and one line below.
import { appnpEntry } from './APPNPNet.js';
import { deeperGcnEntry } from './DeeperGCN.js';
import { gatEntry, gatv2Entry } from './GAT.js';
import { gcnEntry } from './GCN.js';
import { gcniiEntry } from './GCNII.js';
import { ginEntry } from './GIN.js';
import { linearGnnEntry } from './LinearGNN.js';
import { requireObject } from '../errors/args.js';
import type { ModelEntry, ModelFlag, ModelIO, ModelSpec } from './modelEntry.js';
import type { NodeModel } from './NodeModel.js';
import { renameOptions } from './optionAliases.js';
import { resGcnEntry } from './ResGCN.js';
import { sageEntry } from './GraphSAGE.js';
import { kpEntry, skpEntry } from './SKP.js';

// biome-ignore lint/suspicious/noExplicitAny: entries hold different option types; each checks its own.
const ENTRIES: readonly ModelEntry<any>[] = [
  gcnEntry,
  resGcnEntry,
  gatEntry,
  gatv2Entry,
  skpEntry,
  kpEntry,
  linearGnnEntry,
  gcniiEntry,
  appnpEntry,
  ginEntry,
  deeperGcnEntry,
  sageEntry,
];

// A Map, not an object: a name such as '__proto__' or 'constructor' finds nothing.
const BY_NAME = new Map<string, ModelEntry>();
for (const e of ENTRIES) {
  for (const name of [e.name, ...(e.aliases ?? [])]) {
    if (BY_NAME.has(name)) throw new Error(`model registry: '${name}' is registered twice`);
    BY_NAME.set(name, e);
  }
}

/** Every model's name, in registry order (`--model` choices). */
export const MODELS: readonly string[] = ENTRIES.map((e) => e.name);

/** Every `--init` value some model accepts. */
export const INITS: readonly string[] = [...new Set(ENTRIES.flatMap((e) => e.inits))];

/** The registry entry of `name` (aliases included), or undefined. */
export function findModel(name: string): ModelEntry | undefined {
  return typeof name === 'string' ? BY_NAME.get(name) : undefined;
}

/** The registry entry of `name`; a RangeError listing the models when there is none. */
export function modelEntry(name: string): ModelEntry {
  const e = findModel(name);
  if (!e) throw new RangeError(`unknown model '${String(name)}': use one of ${MODELS.join(', ')}`);
  return e;
}

/** A model-owned flag with the models that own it. */
export interface OwnedFlag extends ModelFlag {
  owners: readonly string[];
}

/** Every model-owned flag once, with its owners; flags of one key must agree on text and value. */
export function modelFlags(): OwnedFlag[] {
  const byKey = new Map<string, OwnedFlag>();
  for (const e of ENTRIES) {
    for (const f of e.flags ?? []) {
      const seen = byKey.get(f.key);
      if (!seen) byKey.set(f.key, { ...f, owners: [e.name] });
      else if (seen.flag !== f.flag || JSON.stringify(seen.value) !== JSON.stringify(f.value)) {
        throw new Error(`model registry: flag '${f.key}' of ${e.name} differs from ${seen.owners.join(', ')}'s`);
      } else byKey.set(f.key, { ...seen, owners: [...seen.owners, e.name] });
    }
  }
  return [...byKey.values()];
}

/** What is wrong with a flag's value (sweeps and code reach the spec without the CLI's parsers), or null. */
function flagValueProblem(kind: ModelFlag['value'], v: unknown): string | null {
  switch (kind.kind) {
    case 'switch':
      return typeof v === 'boolean' ? null : 'true or false';
    case 'choice':
      return kind.choices.includes(v as string) ? null : `one of ${kind.choices.join(', ')}`;
    case 'int':
      return Number.isInteger(v) && (v as number) >= kind.min && (v as number) <= kind.max ? null : `an integer in [${kind.min}, ${kind.max}]`;
    case 'real': {
      const n = v as number;
      const ok = typeof v === 'number' && (kind.openMin ? n > kind.min : n >= kind.min) && (kind.openMax ? n < kind.max : n <= kind.max);
      return ok ? null : `in ${kind.openMin ? '(' : '['}${kind.min}, ${kind.max}${kind.openMax ? ')' : ']'}`;
    }
  }
}

/** The values of a model-owned choice flag (`--residual`, `--norm`), for sweep configs. */
export function flagChoices(key: string): readonly [string, ...string[]] {
  const f = modelFlags().find((x) => x.key === key);
  if (f?.value.kind !== 'choice' || f.value.choices.length === 0) throw new Error(`model registry: no choice flag '${key}'`);
  return f.value.choices as readonly [string, ...string[]];
}

/** The spec with the model's own defaults filled in for depth, width and dropout. */
export function resolveSpec(spec: ModelSpec): ModelSpec {
  const e = modelEntry(spec.model);
  const d = e.defaults ?? {};
  return { ...spec, layers: spec.layers ?? d.layers ?? 2, hidden: spec.hidden ?? d.hidden ?? 64, dropout: spec.dropout ?? d.dropout };
}

/**
 * Rejects flag combinations that do not apply, before any data is loaded, with a message that
 * says what to change.
 *
 * @example
 * validateModelSpec({ model: 'gcn', layers: 2, hidden: 64, seed: 0, heads: 8 });  // throws: --heads is for gat, gatv2
 */
export function validateModelSpec(spec: ModelSpec): void {
  requireObject('validateModelSpec', 'spec', spec);
  const e = modelEntry(spec.model);
  for (const f of modelFlags()) {
    const v = spec[f.key];
    if (v === undefined) continue;
    const flag = f.flag.split(' ')[0];
    if (!f.owners.includes(e.name)) throw new RangeError(`${flag} applies to --model ${f.owners.join(' or ')}, not ${e.name}; drop it or change --model`);
    const why = flagValueProblem(f.value, v);
    if (why) throw new RangeError(`${flag} must be ${why}, got ${JSON.stringify(v)}`);
  }
  if (spec.init !== undefined && !e.inits.includes(spec.init)) {
    const hint = e.name === 'gcn' ? '; for other initializers of a plain stack use --model res-gcn --residual none' : '';
    const use = e.inits.length ? `use one of ${e.inits.join(', ')}` : 'it has no --init';
    throw new RangeError(`--init ${spec.init} does not apply to --model ${e.name}: ${use}${hint}`);
  }
  e.check?.(resolveSpec(spec));
}

/**
 * Builds the model a spec describes (validated first), with the model's own defaults for
 * whatever the spec leaves unset.
 *
 * @example
 * using model = buildModel({ model: 'gcnii', seed: 0 }, { inChannels: 1433, outChannels: 7, device: 'cpu' });
 */
export function buildModel(spec: ModelSpec, io: ModelIO): NodeModel {
  requireObject('buildModel', 'spec', spec);
  requireObject('buildModel', 'io', io);
  validateModelSpec(spec);
  const e = modelEntry(spec.model);
  return e.build(e.fromSpec(resolveSpec(spec), io));
}

/**
 * Rebuilds a model from a checkpoint's name and config: deprecated option names are renamed,
 * then the config is checked against the model's schema (types, bounded sizes) before anything
 * is built.
 *
 * @throws RangeError naming the first offending key.
 */
export function rebuildModel(name: string, config: unknown): NodeModel {
  const e = modelEntry(name);
  const parsed = e.options.safeParse(e.renamedOptions ? renameOptions(e.name, config, e.renamedOptions, false) : config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RangeError(`${issue.path.join('.') || 'config'}: ${issue.message}`);
  }
  return e.build(parsed.data);
}
