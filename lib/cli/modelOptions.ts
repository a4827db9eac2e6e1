import { type Command, Option } from 'commander';

import type { FlagValue } from '../models/modelEntry.js';
import { INITS, MODELS, modelFlags } from '../models/registry.js';
import { integer, oneOf, real } from './parseOptions.js';

/** Defaults of the flags every model-building command shares. */
export interface ModelOptionDefaults {
  model: string;
  seed: number;
  device: string;
}

function parser(v: FlagValue): ((s: string) => unknown) | undefined {
  switch (v.kind) {
    case 'int':
      return integer(v.min, v.max);
    case 'real':
      return real(v.min, v.max, v.openMax);
    case 'choice':
      return oneOf(v.choices);
    case 'switch':
      return undefined;
  }
}

/**
 * Adds the dataset and model flags that `fathom train` and `fathom diagnose` share (one
 * definition, so the two commands accept exactly the same models): --dataset, --model, --layers,
 * --hidden, --dropout, --init, --seed, --device, --no-normalize-features, and every flag a model
 * in the registry owns (lib/models/registry.ts). Their values map onto ModelSpec fields; unset
 * depth, width and dropout take the model's own defaults.
 *
 * @example
 * addModelOptions(new Command('diagnose'), TRAIN_DEFAULTS).option('--json <file|->', 'JSON summary');
 */
export function addModelOptions(command: Command, d: ModelOptionDefaults): Command {
  command
    .requiredOption('--dataset <name|path>', 'cora, citeseer, pubmed, ... or a folder in the dataset format')
    .addOption(new Option('--model <name>', 'model').choices(MODELS).default(d.model))
    .option('--layers <n>', "number of layers, blocks or propagation steps (default: the model's own)", integer(1, 100000))
    .option('--hidden <n>', "hidden width (default: the model's own)", integer(1, 1 << 20))
    .option('--dropout <p>', "dropout probability (default: the model's own)", real(0, 1, true))
    .addOption(new Option('--init <name>', "weight initialization (default: the model's own)").choices(INITS));
  for (const f of modelFlags()) {
    const description = `${f.description} (${f.owners.join(', ')})`;
    const parse = parser(f.value);
    const option = new Option(f.flag, description);
    if (parse) option.argParser(parse);
    // commander names the value after the flag (--agg-t → aggT): it must be the spec key.
    if (option.attributeName() !== f.key) throw new Error(`model flag ${f.flag} would land in '${option.attributeName()}', not '${f.key}'`);
    command.addOption(option);
  }
  return command
    .option('--seed <n>', 'random seed', integer(0, 2 ** 32 - 1), d.seed)
    .addOption(new Option('--device <device>', 'device').argParser(oneOf(['auto', 'cpu', 'cuda'] as const)).default(d.device))
    .option('--no-normalize-features', 'keep raw features (default: rows normalized to sum 1)');
}
