import { type Command, Option } from 'commander';

import { integer, oneOf, real } from './parseOptions.js';
import { INITS, MODELS, NORMS, RESIDUALS } from './modelFactory.js';

/** Defaults of the flags every model-building command shares. */
export interface ModelOptionDefaults {
  model: string;
  layers: number;
  hidden: number;
  seed: number;
  device: string;
}

/**
 * Adds the dataset and model flags that `fathom train` and `fathom diagnose` share (one
 * definition, so the two commands accept exactly the same models): --dataset, --model, --layers,
 * --hidden, --dropout, --init, --residual, --agg-t, --norm, --heads, --skip, --alpha, --beta, --checkpoint-activations, --seed,
 * --device, --no-normalize-features. Their values map onto ModelSpec fields.
 *
 * @example
 * addModelOptions(new Command('diagnose'), TRAIN_DEFAULTS).option('--out <file>', 'JSON output');
 */
export function addModelOptions(command: Command, d: ModelOptionDefaults): Command {
  return command
    .requiredOption('--dataset <name|path>', 'cora, citeseer, pubmed, ... or a folder in the dataset format')
    .addOption(new Option('--model <name>', 'model').choices(MODELS).default(d.model))
    .option('--layers <n>', 'number of graph-convolution layers', integer(1, 100000), d.layers)
    .option('--hidden <n>', 'hidden width', integer(1, 1 << 20), d.hidden)
    .option('--dropout <p>', 'dropout probability (default: the model\'s own, 0.5 for gcn)', real(0, 1, true))
    .addOption(new Option('--init <name>', 'weight initialization (default: the model\'s own)').choices(INITS))
    .addOption(new Option('--residual <kind>', 'residual block of res-gcn (default fixup)').choices(RESIDUALS))
    .option('--agg-t <t>', 'residual aggregation P_t = (1 − t)I + tP, t in (0, 1]', real(0, 1))
    .addOption(new Option('--norm <kind>', 'normalization of res-gcn branches (default none)').choices(NORMS))
    .option('--heads <n>', 'attention heads (gat, gatv2)', integer(1, 1024))
    .option('--skip', 'linear-gnn: multiscale skip form Σ_l W_l B_l ⋯ B_1 X S^l')
    .option('--alpha <a>', 'interpolate residual weight α (default 0.6)', real(0, 1))
    .option('--beta <b>', 'fixup branch scale β (default 1)', real(0, 100))
    .option('--checkpoint-activations <k>', 'res-gcn: keep only every k-th block\'s activations, recompute the rest in backward (less memory, one more forward)', integer(1, 100000))
    .option('--seed <n>', 'random seed', integer(0, 2 ** 32 - 1), d.seed)
    .addOption(new Option('--device <device>', 'device').argParser(oneOf(['auto', 'cpu', 'cuda'] as const)).default(d.device))
    .option('--no-normalize-features', 'keep raw features (default: rows normalized to sum 1)');
}
