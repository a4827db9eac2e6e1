import type { StTensor } from '../io/safetensorsFormat.js';
import { assignByName, describeProblems, stateDictProblems } from '../nn/stateDict.js';
import type { Optimizer, OptimizerState } from '../optim/Optimizer.js';
import { Tensor } from '../tensor/Tensor.js';
import type { Device } from '../tensor/dtype.js';
import type { CheckpointableModel, CheckpointInfo } from './checkpointFormat.js';
import { checkpointError, type ParsedCheckpoint } from './parseCheckpoint.js';

/**
 * Copies a parsed checkpoint into an existing model (and optimizer), all or nothing: every
 * parameter must be present with its dtype and shape and nothing else may be, the optimizer
 * state must be the optimizer's kind, over the same parameters in the same order. Everything
 * is checked, and every tensor copied to its device, before the first value changes, so a file
 * that does not fit leaves model, dropout stream and optimizer untouched.
 *
 * @throws FathomError 'IO' naming the file and every mismatch.
 */
export function applyCheckpoint(ckpt: ParsedCheckpoint, model: CheckpointableModel, optimizer?: Optimizer): CheckpointInfo {
  const fail = (why: string): never => {
    throw checkpointError(ckpt.source, why);
  };
  const params = model.namedParameters();
  const { problems } = stateDictProblems(params, ckpt.weights, true);
  if (problems.length) fail(`it does not fit the model (nothing was restored): ${describeProblems(problems)}`);
  if (optimizer) checkOptimizer(ckpt, params, optimizer, fail);
  const created: Tensor[] = [];
  try {
    const values = new Map<string, Tensor>();
    for (const [name, t] of ckpt.weights) values.set(name, track(created, Tensor.from(t.data, t.shape)));
    const state = optimizer && ckpt.optimizer ? optimizerState(ckpt, optimizer, created) : null;
    // Nothing below can fail on the file's account: it was all checked above.
    assignByName(params, values);
    if (ckpt.modelRng && model.setRngState) model.setRngState(ckpt.modelRng);
    if (optimizer && state) optimizer.importState(state);
  } finally {
    for (const t of created) t.dispose();
  }
  return { epoch: ckpt.epoch, metrics: ckpt.metrics, config: ckpt.config, rngState: ckpt.rngState, callbackState: ckpt.callbackState };
}

function track(list: Tensor[], t: Tensor): Tensor {
  list.push(t);
  return t;
}

function checkOptimizer(ckpt: ParsedCheckpoint, params: [string, unknown][], optimizer: Optimizer, fail: (why: string) => never): void {
  const o = ckpt.optimizer ?? fail(`it holds no optimizer state, and ${optimizer.name} state was asked for`);
  if (o.name !== optimizer.name) fail(`it holds ${o.name} optimizer state, the optimizer is ${optimizer.name}`);
  const list = optimizer.parameterList;
  if (o.slots.length !== list.length) fail(`its optimizer state covers ${o.slots.length} parameters, the optimizer has ${list.length}`);
  const names = new Map(params.map(([n, p]) => [p, n]));
  list.forEach((p, i) => {
    const own = names.get(p);
    if (own === undefined) fail(`the optimizer's parameter ${i} is not one of the model's`);
    if (o.params && o.params[i] !== own) fail(`optimizer slot ${i} belongs to '${o.params[i]}', the optimizer's parameter ${i} is '${own}'`);
    for (const [k, t] of o.slots[i] ?? []) {
      if (t.dtype.toLowerCase() !== p.dtype || t.shape.join() !== p.shape.join()) {
        fail(`optimizer tensor ${i}/${k} is ${t.dtype.toLowerCase()}[${t.shape.join(', ')}], its parameter is ${p.describe()}`);
      }
    }
  });
}

function optimizerState(ckpt: ParsedCheckpoint, optimizer: Optimizer, created: Tensor[]): OptimizerState {
  const o = ckpt.optimizer!;
  const onDevice = (t: StTensor, device: Device): Tensor => {
    const host = track(created, Tensor.from(t.data, t.shape));
    return device === 'cpu' ? host : track(created, host.to(device));
  };
  const slots = o.slots.map((slot, i) => {
    if (!slot) return null;
    const device = optimizer.parameterList[i]!.device;
    return Object.fromEntries([...slot].map(([k, t]) => [k, onDevice(t, device)]));
  });
  return { name: o.name, hyper: o.hyper as OptimizerState['hyper'], stepCount: o.stepCount, slots };
}
