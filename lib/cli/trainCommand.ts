import { Command, InvalidArgumentError, Option } from 'commander';

import { Progress } from './progress.js';
import { addDatasetOptions } from './datasetOptions.js';
import { addModelOptions } from './modelOptions.js';
import { integer, real } from './parseOptions.js';
import { checkOutputs } from './outputPaths.js';
import { emitSummary } from './summaryOutput.js';
import { trainNotes, trainTable } from './trainTable.js';
import { OPTIMIZERS } from '../optim/buildOptimizer.js';
import { addScheduleOptions } from './scheduleOptions.js';
import { addBatchOptions } from './batchOptions.js';
import { runTrainJob, TRAIN_DEFAULTS, type TrainJobOptions } from './trainJob.js';
import { withInterrupt } from './withInterrupt.js';
import { initDistributed } from '../distributed/runtime.js';

/** `fathom train`: trains a model on a dataset with a progress bar and prints a summary. */
export function trainCommand(): Command {
  const d = TRAIN_DEFAULTS;
  const command = new Command('train').description(
    'train a node classifier on a bundled dataset, a dataset folder, an edge list, a .npy/.npz or an OGB folder',
  );
  return addBatchOptions(addScheduleOptions(addDatasetOptions(addModelOptions(command, d))))
    .option('--epochs <n>', 'maximum epochs', integer(1), d.epochs)
    .option('--lr <x>', "learning rate (default: the model's own, else 0.01)", real(0, 10))
    .option('--weight-decay <x>', "L2 weight decay (default: the model's own, else 5e-4)", real(0, 1))
    .option('--patience <n>', 'early stopping on the validation metric (0 disables)', integer(0), d.patience)
    .addOption(
      new Option('--metric <name>', 'validation metric that picks the best epoch and stops early; roc-auc for binary tasks (class 1 positive)')
        .choices(['accuracy', 'roc-auc'])
        .default(d.metric),
    )
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZERS).default(d.optimizer))
    .option('--momentum <x>', 'SGD momentum', real(0, 1, true), d.momentum)
    .option('--checkpoint-dir <dir>', 'save checkpoints (model, optimizer, RNG state) to this folder')
    .option('--checkpoint-every <n>', 'epochs between checkpoints', integer(1), 10)
    .option('--resume', 'continue from the newest checkpoint in --checkpoint-dir (fresh start when there is none)', false)
    .option(
      '--fit-all-labels',
      'fitting test: loss, train accuracy and early stopping over every labelled node (train and val masks replaced; test mask kept)',
      false,
    )
    .option('--json <file|->', 'write the summary as JSON to a file, or - for stdout')
    .option('--compile', 'compile the training step and evaluation (the default; warns when a step runs eagerly)')
    .option('--no-compile', 'run every training step eagerly (default: steps are traced once and replayed natively, with the same results)')
    .option('--distributed', 'data-parallel over the processes of an mpirun job (mpirun -np N fathom train --distributed ...); rank 0 reports', false)
    .option(
      '--partition-features [method]',
      'with --distributed and --batch-size: each rank holds 1/N of the feature rows and batches fetch theirs over MPI; method auto (METIS where it loads, else contiguous), metis, random or contiguous',
    )
    .action(async (o: TrainJobOptions & { json?: string }) => {
      if (o.resume && !o.checkpointDir) throw new InvalidArgumentError('--resume needs --checkpoint-dir');
      checkOutputs('train', { files: { '--json': o.json }, dirs: { '--checkpoint-dir': o.checkpointDir } });
      // Under mpirun only rank 0 speaks: progress, log, warnings, summary.
      const quiet = o.distributed && initDistributed().rank !== 0;
      const say = (text: string) => quiet || process.stderr.write(text);
      const progress = quiet ? null : new Progress(o.epochs, 'train');
      let summary: Awaited<ReturnType<typeof runTrainJob>>;
      try {
        summary = await withInterrupt((signal) =>
          runTrainJob(o, {
            signal,
            log: (line) => say(`${line}\n`),
            onWarning: (m) => say(`\nfathom train: warning: ${m}\n`),
            onEpoch: (r) =>
              progress?.update(
                r.epoch,
                r.valAuc === undefined
                  ? `loss ${r.trainLoss.toFixed(4)} val ${(100 * r.valAcc).toFixed(1)}% best ${(100 * r.bestValAcc).toFixed(1)}%@${r.bestEpoch}`
                  : `loss ${r.trainLoss.toFixed(4)} val AUC ${(100 * r.valAuc).toFixed(1)} best ${(100 * r.bestValAuc!).toFixed(1)}@${r.bestEpoch}`,
              ),
          }),
        );
      } finally {
        progress?.stop();
      }
      if (quiet) return;
      for (const note of trainNotes(summary, o)) process.stderr.write(`${note}\n`);
      emitSummary({ text: trainTable(summary), summary, json: o.json, command: 'train' });
    });
}
