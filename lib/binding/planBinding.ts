// The compiled-plan part of the binding (native/plan, native/napi/plan_handle.cc).
import type { CsrHandle, TensorHandle } from './handles.js';

/**
 * The kinds of a recorded argument, in native/plan/plan.h's ArgKind order: a slot (an earlier
 * step's result), an external (a tensor the caller owns), a graph operator, a constant number, a
 * per-step scalar, a boolean, a string, a shape, or null / undefined.
 */
export const ArgKind = { Slot: 0, External: 1, Csr: 2, Number: 3, Dynamic: 4, Flag: 5, Text: 6, Shape: 7, Null: 8 } as const;

export type PlanArg = [kind: number, value: number | boolean | string | number[] | null];

export interface PlanStepSpec {
  /** A name of the op table (`tableOps`). */
  op: string;
  args: PlanArg[];
  /** The slot of each result; -1 where the step drops it. */
  outs: number[];
}

export interface PlanSpec {
  steps: PlanStepSpec[];
  numSlots: number;
  externals: TensorHandle[];
  csrs: CsrHandle[];
  numDynamic: number;
  /** The slots run() returns, in order. */
  outputs: number[];
  /** On CUDA, capture the replay as a CUDA Graph and launch that (native/plan/plan.h). */
  cudaGraph?: boolean;
}

export interface PlanHandle {
  readonly numSteps: number;
  /** Whether one of the plan's inputs (a tensor or graph operator) was disposed since it was made: a stale plan cannot run. */
  readonly stale: boolean;
  /** Whether a captured CUDA Graph serves the runs. */
  readonly cudaGraph: boolean;
  /** Why CUDA Graphs are off for this plan (asked for but not possible), or null. */
  readonly cudaGraphReason: string | null;
  /** Replays every step; `scalars` are the per-step values (numDynamic of them). */
  run(scalars: Float64Array): TensorHandle[];
  dispose(): void;
}

export interface PlanBinding {
  PlanHandle: new (spec: PlanSpec) => PlanHandle;
  /** The ops a plan can replay: the binding's tensor ops and the handle methods clone, to, reshape, copyFrom. */
  tableOps: readonly string[];
}
