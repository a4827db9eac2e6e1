import { ArgKind, type PlanArg, type PlanSpec } from '../binding/planBinding.js';
import type { Rng } from '../random/rng.js';
import type { Trace } from './trace.js';

/**
 * An argument of one op that changes from step to step by design and is read from its owner at
 * every replay: an optimizer's learning rate and step count. `value` is read after `advance`.
 */
export interface StepInput {
  op: string;
  arg: number;
  name: string;
  value(): number;
}

/** Where a replay takes each per-step scalar from. */
export type ScalarSource = { kind: 'draw'; rng: Rng; index: number; offset: number } | { kind: 'input'; input: StepInput };

export interface PlanDraft {
  spec: PlanSpec;
  sources: ScalarSource[];
  /** How many values each random stream gives per step (the replay draws them too). */
  draws: Map<Rng, number>;
}

/**
 * The plan two consecutive traced steps agree on: the same ops on the same slots, tensors and
 * operators. A number that differs between them must be an input (`inputs`, matched by op and
 * argument index, and equal to the input's value at the end of each step) or a value a random
 * stream gave at the same position of both steps, plus the same constant mod 2^32 in both (a
 * seed derived from a draw, as a reversible block's per-group seeds are); otherwise the steps
 * are not one plan and the answer says why. `inputValues[t][i]` is inputs[i]'s value at the end of trace t.
 */
export function planFromTraces(a: Trace, b: Trace, inputs: readonly StepInput[], inputValues: [number[], number[]]): PlanDraft | { mismatch: string } {
  const shape = sameShape(a, b);
  if (shape) return { mismatch: shape };
  const sources: ScalarSource[] = [];
  const sourceIndex = new Map<string, number>();
  const dynamic = (key: string, source: ScalarSource): PlanArg => {
    let i = sourceIndex.get(key);
    if (i === undefined) {
      i = sources.length;
      sources.push(source);
      sourceIndex.set(key, i);
    }
    return [ArgKind.Dynamic, i];
  };
  const drawIndex = indexDraws(a.draws);
  const steps = [];
  for (let c = 0; c < a.calls.length; c++) {
    const ca = a.calls[c]!;
    const cb = b.calls[c]!;
    if (ca.op !== cb.op || ca.args.length !== cb.args.length || ca.outs.join() !== cb.outs.join()) {
      return { mismatch: `op ${c} is ${ca.op} in one step and ${cb.op} in the next` };
    }
    const args: PlanArg[] = [];
    for (let i = 0; i < ca.args.length; i++) {
      const [ka, va] = ca.args[i]!;
      const [kb, vb] = cb.args[i]!;
      const where = `argument ${i} of op ${c} (${ca.op})`;
      if (ka !== kb) return { mismatch: `${where} changes kind between steps` };
      const input = inputs.findIndex((s) => s.op === ca.op && s.arg === i);
      if (ka === ArgKind.Number && input >= 0) {
        if (va !== inputValues[0][input] || vb !== inputValues[1][input]) return { mismatch: `${where} is not the ${inputs[input]!.name} it should be` };
        args.push(dynamic(`input:${input}`, { kind: 'input', input: inputs[input]! }));
      } else if (ka === ArgKind.Number && !Object.is(va, vb)) {
        const draw = findDraw(a, b, drawIndex, va as number, vb as number);
        if (!draw) return { mismatch: `${where} changes from step to step (${va} → ${vb}) and comes from neither a random stream nor the optimizer` };
        const { rng, index, offset } = draw;
        args.push(dynamic(`draw:${drawKey(a.draws, rng)}:${index}:${offset}`, { kind: 'draw', rng, index, offset }));
      } else if (JSON.stringify(va) !== JSON.stringify(vb)) {
        return { mismatch: `${where} differs between steps` };
      } else {
        args.push(ca.args[i]!);
      }
    }
    steps.push({ op: ca.op, args, outs: ca.outs });
  }
  const spec: PlanSpec = { steps, numSlots: a.numSlots, externals: a.externals, csrs: a.csrs, numDynamic: sources.length, outputs: a.outputs };
  return { spec, sources, draws: new Map([...a.draws].map(([rng, list]) => [rng, list.length])) };
}

function sameShape(a: Trace, b: Trace): string | null {
  if (a.calls.length !== b.calls.length) return `the steps call ${a.calls.length} and ${b.calls.length} ops`;
  if (a.numSlots !== b.numSlots) return `the steps make ${a.numSlots} and ${b.numSlots} tensors`;
  if (a.outputs.join() !== b.outputs.join()) return 'the steps return different tensors';
  if (a.externals.length !== b.externals.length || a.externals.some((h, i) => b.externals[i] !== h)) return 'the steps read different tensors';
  if (a.csrs.length !== b.csrs.length || a.csrs.some((h, i) => b.csrs[i] !== h)) return 'the steps use different graph operators';
  if (a.draws.size !== b.draws.size) return 'the steps draw from different random streams';
  for (const [rng, list] of a.draws) {
    if (b.draws.get(rng)?.length !== list.length) return 'the steps draw different numbers of random values';
  }
  return null;
}

const isUint32 = (v: number) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

// The draw at one position of both steps that gives va and vb: itself, else plus one constant.
function findDraw(a: Trace, b: Trace, index: Map<number, [Rng, number][]>, va: number, vb: number): { rng: Rng; index: number; offset: number } | null {
  const exact = index.get(va)?.find(([rng, k]) => b.draws.get(rng)?.[k] === vb);
  if (exact) return { rng: exact[0], index: exact[1], offset: 0 };
  if (!isUint32(va) || !isUint32(vb)) return null;
  for (const [rng, list] of a.draws) {
    const other = b.draws.get(rng)!;
    for (let k = 0; k < list.length; k++) {
      const offset = (va - list[k]!) >>> 0;
      if ((other[k]! + offset) >>> 0 === vb) return { rng, index: k, offset };
    }
  }
  return null;
}

// value -> every (stream, position) that gave it.
function indexDraws(draws: Map<Rng, number[]>): Map<number, [Rng, number][]> {
  const index = new Map<number, [Rng, number][]>();
  for (const [rng, list] of draws) {
    list.forEach((v, k) => {
      const at = index.get(v);
      if (at) at.push([rng, k]);
      else index.set(v, [[rng, k]]);
    });
  }
  return index;
}

function drawKey(draws: Map<Rng, number[]>, rng: Rng): number {
  return [...draws.keys()].indexOf(rng);
}
