import { writeFileSync } from 'node:fs';

import { Command, InvalidArgumentError, Option } from 'commander';

import { Progress } from './progress.js';
import { integer, oneOf, real } from './parseOptions.js';
import { table } from './table.js';
import { INITS, NORMS, RESIDUALS } from './modelFactory.js';
import { MODELS, OPTIMIZERS, runTrainJob, TRAIN_DEFAULTS, type TrainJobOptions } from './trainJob.js';

/** `fathom train`: trains a model on a dataset with a progress bar and prints a summary. */
export function trainCommand(): Command {
  const d = TRAIN_DEFAULTS;
  return new Command('train')
    .description('train a node classifier on a bundled dataset or a dataset folder')
    .requiredOption('--dataset <name|path>', 'cora, citeseer, pubmed, ... or a folder in the dataset format')
    .addOption(new Option('--model <name>', 'model').choices(MODELS).default(d.model))
    .option('--layers <n>', 'number of graph-convolution layers', integer(1, 100000), d.layers)
    .option('--hidden <n>', 'hidden width', integer(1, 1 << 20), d.hidden)
    .option('--epochs <n>', 'maximum epochs', integer(1), d.epochs)
    .option('--lr <x>', 'learning rate', real(0, 10), d.lr)
    .option('--weight-decay <x>', 'L2 weight decay', real(0, 1), d.weightDecay)
    .option('--dropout <p>', 'dropout probability (default: the model\'s own, 0.5 for gcn)', real(0, 1, true))
    .addOption(new Option('--init <name>', 'weight initialization (default: the model\'s own)').choices(INITS))
    .addOption(new Option('--residual <kind>', 'residual block of res-gcn (default fixup)').choices(RESIDUALS))
    .option('--agg-t <t>', 'residual aggregation P_t = (1 − t)I + tP, t in (0, 1]', real(0, 1))
    .addOption(new Option('--norm <kind>', 'normalization of res-gcn branches (default none)').choices(NORMS))
    .option('--heads <n>', 'attention heads (gat, gatv2)', integer(1, 1024))
    .option('--skip', 'linear-gnn: multiscale skip form Σ_l W_l B_l ⋯ B_1 X S^l')
    .option('--alpha <a>', 'interpolate residual weight α (default 0.6)', real(0, 1))
    .option('--beta <b>', 'fixup branch scale β (default 1)', real(0, 100))
    .option('--patience <n>', 'early stopping on validation accuracy (0 disables)', integer(0), d.patience)
    .option('--seed <n>', 'random seed', integer(0, 2 ** 32 - 1), d.seed)
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZERS).default(d.optimizer))
    .option('--momentum <x>', 'SGD momentum', real(0, 1, true), d.momentum)
    .addOption(new Option('--device <device>', 'device').argParser(oneOf(['auto', 'cpu', 'cuda'] as const)).default(d.device))
    .option('--no-normalize-features', 'keep raw features (default: rows normalized to sum 1)')
    .option('--checkpoint-dir <dir>', 'save checkpoints (model, optimizer, RNG state) to this folder')
    .option('--checkpoint-every <n>', 'epochs between checkpoints', integer(1), 10)
    .option('--resume', 'continue from the newest checkpoint in --checkpoint-dir (fresh start when there is none)', false)
    .option('--json <file|->', 'write the summary as JSON to a file, or - for stdout')
    .action(async (o: TrainJobOptions & { json?: string }) => {
      if (o.resume && !o.checkpointDir) throw new InvalidArgumentError('--resume needs --checkpoint-dir');
      const progress = new Progress(o.epochs, 'train');
      const controller = new AbortController();
      const onSigint = () => controller.abort(new Error('interrupted'));
      process.once('SIGINT', onSigint);
      let summary;
      try {
        summary = await runTrainJob(o, {
          signal: controller.signal,
          onEpoch: (r) =>
            progress.update(r.epoch, `loss ${r.trainLoss.toFixed(4)} val ${(100 * r.valAcc).toFixed(1)}% best ${(100 * r.bestValAcc).toFixed(1)}%@${r.bestEpoch}`),
        });
      } finally {
        progress.stop();
        process.off('SIGINT', onSigint);
      }
      const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
      const text = table([
        ['dataset', summary.dataset], ['model', `${summary.model} × ${summary.layers} (hidden ${summary.hidden})`],
        ['device', summary.device], ['seed', String(summary.seed)], ['epochs run', String(summary.epochs_run)],
        ['best epoch', String(summary.best_epoch)], ['train loss', summary.train_loss.toFixed(4)],
        ['train accuracy', pct(summary.train_acc)], ['val accuracy', pct(summary.val_acc)], ['test accuracy', pct(summary.test_acc)],
        ['epoch time (median)', `${summary.epoch_ms_median.toFixed(2)} ms`], ['peak RSS', `${summary.peak_rss_mb.toFixed(0)} MB`],
      ]);
      const json = JSON.stringify(summary);
      if (o.json === '-') {
        process.stderr.write(`${text}\n`);
        process.stdout.write(`${json}\n`);
      } else {
        process.stdout.write(`${text}\n`);
        if (o.json) writeFileSync(o.json, `${json}\n`);
      }
    });
}
