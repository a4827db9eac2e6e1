import { Rng } from '../random/rng.js';
import type { Device, DType } from '../tensor/dtype.js';

/** Options every layer takes. */
export interface LayerOptions {
  /** Whether the layer adds a bias (default true). */
  bias?: boolean;
  /** Parameter dtype (default f32). */
  dtype?: DType;
  /** Device of the parameters (default cpu). */
  device?: Device;
  /** Random source for initialization; default: a fresh Rng seeded with `seed` (default 0). */
  rng?: Rng;
  seed?: number;
}

export function layerRng(options: LayerOptions): Rng {
  return options.rng ?? new Rng(options.seed ?? 0);
}

export function checkChannels(layer: string, name: string, n: unknown): number {
  if (!Number.isInteger(n) || (n as number) < 1) throw new RangeError(`${layer}: ${name} must be a positive integer, got ${String(n)}`);
  return n as number;
}
