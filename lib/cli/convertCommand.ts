import { existsSync, readdirSync } from 'node:fs';

import { Command, InvalidArgumentError } from 'commander';

import { loadDatasetAsync } from '../data/loadDatasetAsync.js';
import { formatReport } from '../data/loadReport.js';
import { saveDatasetAsync } from '../data/saveDataset.js';
import { addDatasetOptions, type DatasetFlags, loadOptionsOf } from './datasetOptions.js';
import { withInterrupt } from './withInterrupt.js';

/**
 * `fathom convert IN OUT`: reads any input `loadDataset` accepts (with the same dataset flags
 * as `fathom train`), prints what the loader found, and writes OUT in Fathom's folder format.
 * Status lines go to stderr while large inputs are read; Ctrl-C stops the read or the write, leaving
 * no partial OUT.
 */
export function convertCommand(): Command {
  const command = new Command('convert')
    .description("convert an edge list, .npy/.npz or OGB folder (or any dataset) to Fathom's folder format (meta.json + gzip'ed arrays)")
    .argument('<in>', 'input: a dataset name, folder, edge list, .npy or .npz')
    .argument('<out>', 'output folder (created; must be empty or absent unless --force)')
    .option('--force', 'write into a folder that is not empty', false);
  return addDatasetOptions(command).action(async (input: string, out: string, o: DatasetFlags & { force: boolean }) => {
    if (existsSync(out) && readdirSync(out).length > 0 && !o.force) {
      throw new InvalidArgumentError(`convert: ${out} is not empty; pass --force to write into it`);
    }
    const log = (line: string): void => {
      process.stderr.write(`${line}\n`);
    };
    const started = Date.now();
    // Ctrl-C is caught from before the "reading" line on, so an early one stops the read too.
    const ds = await withInterrupt(async (signal) => {
      log(`convert: reading ${input}`);
      const loaded = await loadDatasetAsync(input, { ...loadOptionsOf({ ...o, normalizeFeatures: false }), features: 'auto', onProgress: log, signal });
      for (const line of formatReport(loaded.report)) log(line);
      await saveDatasetAsync(out, loaded, { onProgress: loaded.numEdges > 1_000_000 ? log : undefined, signal });
      return loaded;
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(`wrote ${out}: ${ds.numNodes} nodes, ${ds.numEdges} edges, ${ds.numFeatures} features, ${ds.numClasses} classes (${seconds} s)\n`);
  });
}
