import { z } from 'zod';

// Bounds shared by the models' option schemas (lib/models/modelEntry.ts): what a checkpoint's
// config may hold before anything is built from it. Each model's constructor still checks its
// own combinations; these keep sizes sane (a width of 2^20 or 10^5 layers is already far past
// what any graph in memory trains).

const int = (lo: number, hi: number) =>
  z
    .int({ error: `expected an integer in [${lo}, ${hi}]` })
    .min(lo)
    .max(hi);

/** A layer width. */
export const channels = () => int(1, 1 << 20);
/** A number of layers, blocks or steps. */
export const depth = (min = 1) => int(min, 100_000);
export const seed = () => int(0, 2 ** 32 - 1);
export const probability = () => z.number().min(0).lt(1);
export const unitInterval = () => z.number().min(0).max(1);
export const finite = () => z.number().refine(Number.isFinite, { error: 'expected a finite number' });

/** The options every model takes: widths in and out, seed, dtype and device. */
export const modelBase = {
  inChannels: channels(),
  outChannels: channels(),
  seed: seed().optional(),
  dtype: z.enum(['f32', 'f64']).optional(),
  device: z.enum(['cpu', 'cuda']).optional(),
};
