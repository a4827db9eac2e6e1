import { describe, expect, it } from 'vitest';

import * as F from '../../lib/index.js';

// Walks every function and class the package exports (and those of its namespaces) with wrong
// arguments: nothing, undefined, a string, an empty object, a disposed tensor, NaN, nulls.
// Each call must either succeed (some take no arguments) or fail with a TypeError, RangeError or
// FathomError whose message is Fathom's own, never a generic "Cannot read properties of
// undefined" from deep inside, a native crash or a hang.
const GENERIC = /Cannot read prop|is not a function|is not iterable|Cannot convert|undefined is not|null is not|Cannot destructure/;
const NO_ARGUMENTS = new Set(['devices', 'memory', 'resetPeakMemory', 'isGradEnabled', 'listDatasets', 'FathomError']);

type Entry = [string, (...args: unknown[]) => unknown];
function entries(): Entry[] {
  const out: Entry[] = [];
  for (const [name, v] of Object.entries(F)) {
    if (NO_ARGUMENTS.has(name)) continue;
    if (typeof v === 'function') out.push([name, v as Entry[1]]);
    else if (v && typeof v === 'object') {
      for (const [k, f] of Object.entries(v)) if (typeof f === 'function') out.push([`${name}.${k}`, f as Entry[1]]);
    }
  }
  return out;
}

describe('the public API given wrong arguments', () => {
  const disposed = F.Tensor.from([1, 2]);
  disposed.dispose();
  const bad: [string, unknown[]][] = [
    ['no arguments', []],
    ['undefined', [undefined]],
    ['a string', ['x']],
    ['an empty object', [{}]],
    ['a disposed tensor', [disposed]],
    ['NaN', [Number.NaN]],
    ['nulls', [null, null, null]],
  ];

  it('exports a substantial API to walk', () => {
    expect(entries().length).toBeGreaterThan(60);
  });

  it.each(entries())('%s fails with its own TypeError, RangeError or FathomError', async (name, f) => {
    const isClass = /^class[\s{]/.test(Function.prototype.toString.call(f));
    for (const [what, args] of bad) {
      try {
        const r = isClass ? new (f as unknown as new (...a: unknown[]) => unknown)(...args) : f(...args);
        if (r && typeof (r as Promise<unknown>).then === 'function') await r;
        if (r && typeof (r as { dispose?: unknown }).dispose === 'function') (r as { dispose(): void }).dispose();
      } catch (e) {
        const known = e instanceof TypeError || e instanceof RangeError || e instanceof F.FathomError || (e as Error)?.name === 'DatasetError';
        expect(known, `${name}(${what}) threw ${String(e)}`).toBe(true);
        expect((e as Error).message, `${name}(${what})`).not.toMatch(GENERIC);
      }
    }
  });
});
