import { writeFileSync } from 'node:fs';

import { Command, InvalidArgumentError, Option } from 'commander';

import { FathomError } from '../errors/FathomError.js';
import { addDatasetOptions, type DatasetFlags } from './datasetOptions.js';
import { checkOutputs } from './outputPaths.js';
import { PREDICT_SPLITS, type PredictSplit, runPredictJob } from './predictJob.js';
import { table } from './table.js';
import { withInterrupt } from './withInterrupt.js';
import { predictionsCsv, predictionsNpy } from './writePredictions.js';

interface PredictFlags extends Omit<DatasetFlags, 'normalizeFeatures'> {
  checkpoint: string;
  dataset: string;
  nodes: PredictSplit;
  out?: string;
  json?: string;
  normalizeFeatures?: boolean;
}

/**
 * `fathom predict`: class predictions of a trained checkpoint on a dataset prepared as training
 * prepared it, written as CSV (`node,class,p_0..p_{C-1}`) or `.npy` (float32 probabilities
 * [nodes, classes]), with the accuracy on the chosen nodes.
 */
export function predictCommand(): Command {
  const command = new Command('predict')
    .description('predict node classes with a trained checkpoint; prints the accuracy on the chosen nodes')
    .requiredOption('--checkpoint <file>', 'a checkpoint, e.g. best.safetensors of fathom train --checkpoint-dir')
    .requiredOption('--dataset <name|path>', 'cora, citeseer, pubmed, ..., a dataset folder, an edge list, a .npy/.npz or an OGB folder')
    .addOption(new Option('--nodes <split>', 'the nodes to predict').choices(PREDICT_SPLITS).default('all'))
    .option('--out <file|->', 'write predictions: .csv (node,class,p_0..), .npy (float32 probabilities [nodes, classes]) or - (CSV on stdout)')
    .option('--json <file|->', 'write the summary as JSON to a file, or - for stdout')
    .option('--normalize-features', 'row-normalize features (only for a checkpoint that does not record it)')
    .option('--no-normalize-features', 'keep raw features (only for a checkpoint that does not record it)');
  // The dataset flags default to what training recorded in the checkpoint.
  return addDatasetOptions(command).action(async (o: PredictFlags) => {
    if (o.out === '-' && o.json === '-') throw new InvalidArgumentError('--out - and --json - both want stdout; write one of them to a file');
    checkOutputs('predict', { files: { '--out': o.out, '--json': o.json } });
    const write = o.out === undefined || o.out === '-' ? null : outputWriter(o.out);
    const log = (line: string): void => {
      process.stderr.write(`${line}\n`);
    };
    const r = await withInterrupt((signal) => runPredictJob(o, { signal, log }));
    const summary = {
      checkpoint: o.checkpoint,
      dataset: r.dataset,
      model: r.model,
      epoch: r.epoch,
      nodes: r.split,
      count: r.predictions.nodes.length,
      num_classes: r.predictions.numClasses,
      normalize_features: r.normalizeFeatures,
      accuracy: r.accuracy,
    };
    const text = table([
      ['checkpoint', `${o.checkpoint} (${r.model}, epoch ${r.epoch})`],
      ['dataset', `${r.dataset} (features ${r.normalizeFeatures ? 'row-normalized' : 'raw'})`],
      ['nodes', `${r.split} (${summary.count})`],
      [`${r.split} accuracy`, r.accuracy === null ? 'no labels' : `${(100 * r.accuracy).toFixed(2)}%`],
    ]);
    write?.(r.predictions);
    if (o.out === '-') {
      // A reader that stops early (| head) is not an error.
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPIPE') throw e;
      });
      process.stdout.write(predictionsCsv(r.predictions));
    }
    const toStdout = o.out === '-' || o.json === '-';
    (toStdout ? process.stderr : process.stdout).write(`${text}\n`);
    if (o.json === '-') process.stdout.write(`${JSON.stringify(summary)}\n`);
    else if (o.json) writeFileSync(o.json, `${JSON.stringify(summary)}\n`);
  });
}

/** The writer for --out, chosen by the file's extension before any work is done. */
function outputWriter(path: string): (p: Parameters<typeof predictionsCsv>[0]) => void {
  const lower = path.toLowerCase();
  const encode = lower.endsWith('.csv') ? predictionsCsv : lower.endsWith('.npy') ? predictionsNpy : null;
  if (!encode) throw new InvalidArgumentError(`--out must end in .csv or .npy, or be - (CSV on stdout), got '${path}'`);
  return (p) => {
    try {
      writeFileSync(path, encode(p));
    } catch (e) {
      throw new FathomError(`predict: cannot write ${path}: ${(e as Error).message}`, 'IO');
    }
  };
}
