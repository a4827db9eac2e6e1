import { CompiledStep } from '../compile/CompiledStep.js';
import { SettingsWatch } from '../compile/settingsWatch.js';
import type { NodeModel } from '../models/NodeModel.js';
import type { Optimizer } from '../optim/Optimizer.js';
import type { FitOptions, FitResult } from './fitTypes.js';

/** The compiled training step and evaluation pass of one fit() call (FitOptions.compile). */
export interface FitCompilation extends Disposable {
  train: CompiledStep | null;
  evaluation: CompiledStep | null;
  /** FitResult.compiled: how the steps ended; undefined without `compile`. */
  summary(): FitResult['compiled'];
}

/**
 * Whether compiled steps should be captured as CUDA Graphs: `compile: { cudaGraph }` when it says,
 * else the environment variable FATHOM_CUDA_GRAPHS=1.
 */
export function cudaGraphWanted(compile: FitOptions['compile']): boolean {
  if (typeof compile === 'object' && compile.cudaGraph !== undefined) return compile.cudaGraph;
  if (compile === false) return false;
  return process.env.FATHOM_CUDA_GRAPHS === '1';
}

/**
 * The compiled steps fit() runs, or nulls where its options rule them out; a step that falls back
 * to eager execution is told once as a process warning (code FATHOM_EAGER_STEP), never as an
 * error.
 */
export function fitCompilation(
  model: NodeModel,
  optimizer: Optimizer,
  options: { compile: boolean; explicit: boolean; batches: boolean; backwardHooks: boolean; cudaGraph?: boolean },
): FitCompilation {
  const none = { train: null, evaluation: null, summary: () => undefined, [Symbol.dispose]() {} };
  if (!options.compile) return none;
  const notice = (what: string, reason: string) =>
    process.emitWarning(`fit: the ${what} of ${model.name} runs eagerly: ${reason}`, { code: 'FATHOM_EAGER_STEP' });
  const cudaGraph = options.cudaGraph ?? false;
  // A watch per step: each sees its own mode (training or not) every time, the cheapest check.
  const evalSettings = new SettingsWatch(model);
  const evaluation = new CompiledStep({ key: () => evalSettings.key(), onFallback: (r) => notice('evaluation pass', r), cudaGraph });
  let train: CompiledStep | null = null;
  const inputs = optimizer.stepInputs();
  const eager = options.batches
    ? 'mini-batch steps differ from batch to batch'
    : options.backwardHooks
      ? 'a callback runs inside the step (onBackward)'
      : !inputs
        ? `the optimizer ${optimizer.name} does not declare its step inputs (stepInputs())`
        : null;
  // Steps the options rule out are no surprise unless compiling was asked for.
  if (eager && options.explicit) notice('training step', eager);
  else {
    const trainSettings = new SettingsWatch(model);
    train = new CompiledStep({
      inputs: inputs ?? [],
      advance: () => optimizer.replayedStep(),
      key: () => `${optimizer.stateVersion}|${trainSettings.key()}`,
      onFallback: (r) => notice('training step', r),
      cudaGraph,
    });
  }
  return {
    train,
    evaluation,
    summary: () => ({
      train: train?.compiled ?? false,
      evaluation: evaluation.compiled,
      trainReason: train ? (train.compiled ? null : (train.fallbackReason ?? 'not yet traced')) : eager,
      evaluationReason: evaluation.compiled ? null : (evaluation.fallbackReason ?? 'not yet traced'),
      cudaGraph: train?.cudaGraph ?? false,
      cudaGraphReason: !cudaGraph || train?.cudaGraph ? null : (train?.cudaGraphReason ?? trainNotCompiled(train, eager)),
    }),
    [Symbol.dispose]() {
      train?.dispose();
      evaluation.dispose();
    },
  };
}

// Why the training step has no CUDA Graph when it did not even compile.
function trainNotCompiled(train: CompiledStep | null, eager: string | null): string {
  if (!train) return `the training step runs eagerly: ${eager ?? 'not compiled'}`;
  return train.compiled ? 'not yet captured' : `the training step is not compiled: ${train.fallbackReason ?? 'not yet traced'}`;
}
