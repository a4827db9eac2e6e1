import type { z } from 'zod';

import type { Device } from '../tensor/dtype.js';
import type { NodeModel } from './NodeModel.js';

/** How a model-owned command-line flag parses its value. */
export type FlagValue =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'real'; min: number; max: number; openMin?: boolean; openMax?: boolean }
  | { kind: 'choice'; choices: readonly string[] }
  | { kind: 'switch' };

/** A command-line flag one or more models own (`--heads` belongs to gat and gatv2 only). */
export interface ModelFlag {
  /** The ModelSpec key the value lands in (camelCase: 'aggT' for --agg-t). */
  key: string;
  /** Commander's flag text, e.g. '--agg-t <t>' or '--skip'. */
  flag: string;
  description: string;
  value: FlagValue;
}

/**
 * A model as `fathom train`, `fathom diagnose` and sweep configs describe it: the name, the
 * settings every model shares, and the values of model-owned flags under their keys. Unset
 * fields take the model's own defaults.
 */
export interface ModelSpec {
  model: string;
  /** Depth: layers, blocks or propagation steps, as the model counts them. */
  layers?: number;
  hidden?: number;
  dropout?: number;
  seed: number;
  init?: string;
  [flag: string]: unknown;
}

/** Training hyperparameters a model brings (its paper's), used where the user sets none. */
export interface TrainingDefaults {
  layers?: number;
  hidden?: number;
  dropout?: number;
  lr?: number;
  weightDecay?: number;
}

/** What a model's options need besides the spec: the data's widths and the device. */
export interface ModelIO {
  inChannels: number;
  outChannels: number;
  device: Device;
}

/**
 * One model in the registry (lib/models/registry.ts): everything the CLI, sweeps and checkpoints
 * need to know about it. Adding a model is its class file, exporting one of these, and one line
 * in the registry.
 *
 * @example
 * export const gcnEntry: ModelEntry<GCNOptions> = {
 *   name: 'gcn', summary: "Kipf & Welling's GCN", options: gcnOptionsSchema,
 *   build: (o) => new GCN(o), inits: ['glorot'],
 *   fromSpec: (s, io) => ({ ...io, hiddenChannels: s.hidden ?? 64, numLayers: s.layers ?? 2, dropout: s.dropout, seed: s.seed }),
 * };
 */
export interface ModelEntry<Options extends object = object> {
  /** The registry key: `--model` value, `model.name`, and a checkpoint's `model.name`. */
  readonly name: string;
  /** One line for `fathom train --help` and the docs. */
  readonly summary: string;
  /**
   * The options' schema: checks a checkpoint's config (types, integer ranges, bounded sizes)
   * before anything is built from it.
   */
  readonly options: z.ZodType<Options>;
  readonly build: (options: Options) => NodeModel;
  /** The `--init` values that apply, the default first (empty: the model has no --init). */
  readonly inits: readonly string[];
  /** Flags this model owns besides --layers, --hidden, --dropout, --init and --seed. */
  readonly flags?: readonly ModelFlag[];
  /** The model's options from a validated spec (flag values under their keys). */
  readonly fromSpec: (spec: ModelSpec, io: ModelIO) => Options;
  /** Spec checks beyond each flag's own range (combinations), with a message saying what to change. */
  readonly check?: (spec: ModelSpec) => void;
  readonly defaults?: TrainingDefaults;
  /**
   * Deprecated option names (old → new) that older checkpoints' configs carry; renamed silently
   * before the config is checked.
   */
  readonly renamedOptions?: Readonly<Record<string, string>>;
  /** Other names older checkpoints carry for this model. */
  readonly aliases?: readonly string[];
}
