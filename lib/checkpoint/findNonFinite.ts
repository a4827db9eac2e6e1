import { Module } from '../nn/Module.js';
import { requireInstance } from '../errors/args.js';

/**
 * The first parameter holding a NaN or ±Inf, with the index and value found, or null.
 * Reads every parameter back to the host, so fit() runs it every k steps only.
 *
 * @example
 * const bad = findNonFinite(model); if (bad) console.log(bad.name, bad.index, bad.value);
 */
export function findNonFinite(model: Module): { name: string; index: number; value: number } | null {
  requireInstance('findNonFinite', 'model', model, Module, 'a Module');
  for (const [name, p] of model.namedParameters()) {
    if (p.dtype !== 'f32' && p.dtype !== 'f64') continue;
    const a = p.toArray();
    for (let i = 0; i < a.length; i++) {
      // x - x is NaN exactly for NaN and ±Inf: one comparison per value.
      if (a[i]! - a[i]! !== 0) return { name, index: i, value: a[i]! };
    }
  }
  return null;
}
