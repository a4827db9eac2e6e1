import type { GradNode, Tensor } from '../tensor/Tensor.js';
import { isGradEnabled } from './gradMode.js';

/**
 * Attaches a backward rule to `out` when gradients are being recorded and any input needs
 * one. `backward` returns one gradient per input (null where none flows).
 */
export function record(out: Tensor, name: string, inputs: readonly (Tensor | null)[], backward: (grad: Tensor) => (Tensor | null)[]): Tensor {
  if (!isGradEnabled() || !inputs.some((t) => t?.requiresGrad)) return out;
  const node: GradNode = { name, inputs, backward };
  out.gradFn = node;
  out.requiresGrad = true;
  return out;
}
