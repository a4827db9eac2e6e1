// Hand-edited checkpoint files for the corruption tests: read a good file, change one thing,
// write it back as a well-formed safetensors file (so only the checkpoint layer can object).
import { readSafetensors } from '../../lib/io/readSafetensors.js';
import type { StTensorInput } from '../../lib/io/encodeSafetensors.js';
import { writeSafetensors } from '../../lib/io/writeSafetensors.js';
import type { Module } from '../../lib/nn/Module.js';
import type { Optimizer } from '../../lib/optim/Optimizer.js';

/** A checkpoint's contents, editable: tensors by stored name and string metadata. */
export interface EditableCheckpoint {
  tensors: Record<string, StTensorInput>;
  metadata: Record<string, string>;
}

/** Writes `to` as `from` changed by `edit`; returns `to`. */
export function editCheckpoint(from: string, to: string, edit: (f: EditableCheckpoint) => void): string {
  const file = readSafetensors(from);
  const f: EditableCheckpoint = {
    tensors: Object.fromEntries([...file.tensors].map(([k, t]) => [k, { data: t.data, shape: t.shape }])),
    metadata: { ...file.metadata },
  };
  edit(f);
  writeSafetensors(to, f.tensors, f.metadata);
  return to;
}

/** Parses a JSON metadata entry, applies `change` to it and stores it back. */
export function editJson(f: EditableCheckpoint, key: string, change: (value: Record<string, unknown>) => unknown): void {
  const value = JSON.parse(f.metadata[key]!) as Record<string, unknown>;
  const out = change(value);
  f.metadata[key] = JSON.stringify(out === undefined ? value : out);
}

/** Every value a restore could change: parameters, the dropout stream, the optimizer's state. */
export function trainingState(model: Module & { rngState?: unknown }, optimizer?: Optimizer): unknown {
  const s = optimizer?.exportState();
  return {
    params: model.namedParameters().map(([n, p]) => [n, p.shape, Array.from(p.toArray())]),
    rng: model.rngState,
    stepCount: s?.stepCount,
    slots: s?.slots.map((slot) => (slot ? Object.entries(slot).map(([k, t]) => [k, Array.from(t.toArray())]) : null)),
  };
}
