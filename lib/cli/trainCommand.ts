import { writeFileSync } from 'node:fs';

import { Command, InvalidArgumentError, Option } from 'commander';

import { Progress } from './progress.js';
import { addModelOptions } from './modelOptions.js';
import { integer, real } from './parseOptions.js';
import { table } from './table.js';
import { OPTIMIZERS } from '../optim/buildOptimizer.js';
import { runTrainJob, TRAIN_DEFAULTS, type TrainJobOptions } from './trainJob.js';

/** `fathom train`: trains a model on a dataset with a progress bar and prints a summary. */
export function trainCommand(): Command {
  const d = TRAIN_DEFAULTS;
  const command = new Command('train').description('train a node classifier on a bundled dataset or a dataset folder');
  return addModelOptions(command, d)
    .option('--epochs <n>', 'maximum epochs', integer(1), d.epochs)
    .option('--lr <x>', "learning rate (default: the model's own, else 0.01)", real(0, 10))
    .option('--weight-decay <x>', "L2 weight decay (default: the model's own, else 5e-4)", real(0, 1))
    .option('--patience <n>', 'early stopping on validation accuracy (0 disables)', integer(0), d.patience)
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZERS).default(d.optimizer))
    .option('--momentum <x>', 'SGD momentum', real(0, 1, true), d.momentum)
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
      let summary: Awaited<ReturnType<typeof runTrainJob>>;
      try {
        summary = await runTrainJob(o, {
          signal: controller.signal,
          onWarning: (m) => process.stderr.write(`\nfathom train: warning: ${m}\n`),
          onEpoch: (r) =>
            progress.update(
              r.epoch,
              `loss ${r.trainLoss.toFixed(4)} val ${(100 * r.valAcc).toFixed(1)}% best ${(100 * r.bestValAcc).toFixed(1)}%@${r.bestEpoch}`,
            ),
        });
      } finally {
        progress.stop();
        process.off('SIGINT', onSigint);
      }
      const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
      const text = table([
        ['dataset', summary.dataset],
        ['model', `${summary.model} × ${summary.layers} (hidden ${summary.hidden})`],
        ['device', summary.device],
        ['seed', String(summary.seed)],
        ['epochs run', String(summary.epochs_run)],
        ['best epoch', String(summary.best_epoch)],
        ['train loss', summary.train_loss.toFixed(4)],
        ['train accuracy', pct(summary.train_acc)],
        ['val accuracy', pct(summary.val_acc)],
        ['test accuracy', pct(summary.test_acc)],
        ['epoch time (median)', `${summary.epoch_ms_median.toFixed(2)} ms`],
        ['peak RSS', `${summary.peak_rss_mb.toFixed(0)} MB`],
        ...(summary.peak_device_mb === null ? [] : [['peak device memory', `${summary.peak_device_mb.toFixed(0)} MB`] as const]),
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
