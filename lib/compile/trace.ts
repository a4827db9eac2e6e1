import { native, withNativeStandIn } from '../binding/native.js';
import { ArgKind, type PlanArg } from '../binding/planBinding.js';
import type { CsrHandle, NativeBinding, TensorHandle } from '../binding/types.js';
import { Rng } from '../random/rng.js';

/** One recorded op call: its table name, its arguments and the slots of its results. */
export interface TracedCall {
  op: string;
  args: PlanArg[];
  outs: number[];
}

/** What one traced step did, in the terms of a plan (see planFromTraces). */
export interface Trace {
  calls: TracedCall[];
  numSlots: number;
  /** The tensors the step read but did not make, in order of first use. */
  externals: TensorHandle[];
  csrs: CsrHandle[];
  /** The slots of the handles the body returned. */
  outputs: number[];
  /** The values each random stream gave during the step, in order. */
  draws: Map<Rng, number[]>;
  /** Why the step cannot be replayed (a host read, an op outside the table, ...); null when it can. */
  unsupported: string | null;
}

// Binding members a step may touch without changing what it computes.
const QUERIES = new Set(['devices', 'memory', 'getMemoryLimit', 'cudaCompiled', 'tableOps', 'TensorHandle', 'CsrHandle', 'PlanHandle']);
// Handle methods a plan replays (the op table has them under these names, `this` first).
const METHODS = ['clone', 'to', 'reshape', 'copyFrom'] as const;
// Random-stream methods whose state a replay could not advance the same way.
const UNREPLAYABLE_DRAWS = ['fillUint32', 'normal', 'fillNormal'] as const;

type Fn = (...args: unknown[]) => unknown;

class Recorder {
  readonly calls: TracedCall[] = [];
  readonly slots = new Map<TensorHandle, number>();
  readonly externals = new Map<TensorHandle, number>();
  readonly csrs = new Map<CsrHandle, number>();
  readonly live = new Set<TensorHandle>();
  readonly draws = new Map<Rng, number[]>();
  unsupported: string | null = null;

  constructor(
    readonly tensorClass: Fn,
    readonly csrClass: Fn,
  ) {}

  refuse(why: string): void {
    this.unsupported ??= why;
  }

  record(op: string, args: readonly unknown[], result: unknown): void {
    const encoded = args.map((a, i) => this.encode(op, i, a));
    const outs = result === undefined ? [] : Array.isArray(result) ? result.map((r) => this.produce(op, r)) : [this.produce(op, result)];
    this.calls.push({ op, args: encoded, outs });
  }

  private encode(op: string, i: number, a: unknown): PlanArg {
    if (a === undefined || a === null) return [ArgKind.Null, null];
    if (typeof a === 'number') return [ArgKind.Number, a];
    if (typeof a === 'boolean') return [ArgKind.Flag, a];
    if (typeof a === 'string') return [ArgKind.Text, a];
    if (a instanceof this.tensorClass) {
      const h = a as TensorHandle;
      const slot = this.slots.get(h);
      if (slot !== undefined) return [ArgKind.Slot, slot];
      return [ArgKind.External, indexOf(this.externals, h)];
    }
    if (a instanceof this.csrClass) return [ArgKind.Csr, indexOf(this.csrs, a as CsrHandle)];
    if (Array.isArray(a) && a.every((d) => typeof d === 'number')) return [ArgKind.Shape, [...(a as number[])]];
    this.refuse(`argument ${i} of ${op} is ${Object.prototype.toString.call(a)}, which a plan cannot hold`);
    return [ArgKind.Null, null];
  }

  private produce(op: string, r: unknown): number {
    if (r === null) return -1;
    if (!(r instanceof this.tensorClass)) {
      this.refuse(`${op} returned something other than tensors`);
      return -1;
    }
    const slot = this.slots.size;
    this.slots.set(r as TensorHandle, slot);
    this.live.add(r as TensorHandle);
    return slot;
  }
}

function indexOf<K>(map: Map<K, number>, key: K): number {
  let i = map.get(key);
  if (i === undefined) {
    i = map.size;
    map.set(key, i);
  }
  return i;
}

/**
 * Runs `body` eagerly — it computes exactly what it computes untraced — while recording every
 * native op it calls, the tensors it reads, the random draws it makes and anything a plan
 * could not replay. `body` returns the step's outputs (they must be tensors it made).
 */
export function traceStep(body: () => TensorHandle[]): { trace: Trace; outputs: TensorHandle[] } {
  const real = native();
  const rec = new Recorder(real.TensorHandle as unknown as Fn, real.CsrHandle as Fn);
  const table = new Set(real.tableOps);
  const restore = [...patchHandleMethods(rec), ...patchRng(rec)];
  let outputs: TensorHandle[];
  try {
    outputs = withNativeStandIn(standIn(real, table, rec), body);
  } finally {
    for (const undo of restore) undo();
  }
  const outSlots = outputs.map((h) => rec.slots.get(h) ?? -1);
  if (outSlots.includes(-1)) rec.refuse('the step returns a tensor it did not make');
  for (const h of outputs) rec.live.delete(h);
  if (rec.live.size > 0) rec.refuse(`${rec.live.size} tensor(s) made in the step outlive it (state carried to the next step)`);
  const trace: Trace = {
    calls: rec.calls,
    numSlots: rec.slots.size,
    externals: [...rec.externals.keys()],
    csrs: [...rec.csrs.keys()],
    outputs: outSlots,
    draws: rec.draws,
    unsupported: rec.unsupported,
  };
  return { trace, outputs };
}

// The binding as the traced body sees it: table ops are recorded, queries pass, anything else
// runs but makes the step unreplayable.
function standIn(real: NativeBinding, table: Set<string>, rec: Recorder): NativeBinding {
  const wrapped = new Map<string, Fn>();
  // Host data uploaded inside the step may change from step to step: a plan cannot know.
  const tensorClass = new Proxy(real.TensorHandle, {
    construct(target, args) {
      rec.refuse('the step uploads host data into a new tensor');
      return Reflect.construct(target, args) as object;
    },
  });
  return new Proxy(real, {
    get(target, name, receiver) {
      if (name === 'TensorHandle') return tensorClass;
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof name !== 'string' || typeof value !== 'function' || QUERIES.has(name)) return value;
      let w = wrapped.get(name);
      if (!w) {
        const fn = value as Fn;
        w = table.has(name)
          ? (...args: unknown[]) => {
              const result = fn.apply(target, args);
              rec.record(name, args, result);
              return result;
            }
          : (...args: unknown[]) => {
              rec.refuse(`the step calls ${name}, which a plan cannot replay`);
              return fn.apply(target, args);
            };
        wrapped.set(name, w);
      }
      return w;
    },
  });
}

function patchHandleMethods(rec: Recorder): (() => void)[] {
  const proto = (rec.tensorClass as unknown as { prototype: Record<string, Fn> }).prototype;
  const patch = (name: string, replacement: (original: Fn) => Fn): (() => void) => {
    const original = proto[name]!;
    proto[name] = replacement(original);
    return () => {
      proto[name] = original;
    };
  };
  return [
    ...METHODS.map((m) =>
      patch(
        m,
        (original) =>
          function (this: TensorHandle, ...args: unknown[]) {
            const result = original.apply(this, args);
            rec.record(m, [this, ...args], result);
            return result;
          },
      ),
    ),
    patch(
      'toArray',
      (original) =>
        function (this: TensorHandle) {
          rec.refuse('the step reads tensor values on the host (toArray / item)');
          return original.apply(this);
        },
    ),
    patch(
      'dispose',
      (original) =>
        function (this: TensorHandle) {
          rec.live.delete(this);
          return original.apply(this);
        },
    ),
  ];
}

function patchRng(rec: Recorder): (() => void)[] {
  const proto = Rng.prototype as unknown as Record<string, Fn>;
  const next = proto.nextUint32!;
  proto.nextUint32 = function (this: Rng) {
    const v = next.apply(this) as number;
    const list = rec.draws.get(this);
    if (list) list.push(v);
    else rec.draws.set(this, [v]);
    return v;
  };
  const undo = [
    () => {
      proto.nextUint32 = next;
    },
  ];
  for (const m of UNREPLAYABLE_DRAWS) {
    const original = proto[m]!;
    proto[m] = function (this: Rng, ...args: unknown[]) {
      rec.refuse(`the step draws random values with Rng.${m}`);
      return original.apply(this, args);
    };
    undo.push(() => {
      proto[m] = original;
    });
  }
  return undo;
}
