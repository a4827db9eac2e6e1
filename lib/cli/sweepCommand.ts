import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { Command } from 'commander';

import { parseSweepConfig } from '../experiments/sweepConfig.js';
import { runSweep } from '../experiments/runSweep.js';
import { resolveDevice } from '../runtime/devices.js';
import { provenance } from '../runtime/provenance.js';
import { checkOutputs } from './outputPaths.js';
import { Progress } from './progress.js';
import { emitSummary } from './summaryOutput.js';

/** `fathom sweep --config FILE`: runs a grid of training runs, resumably, into one run folder. */
export function sweepCommand(): Command {
  return new Command('sweep')
    .description('train every cell of a grid (depth × model × init × …) and record one JSON line per cell')
    .requiredOption('--config <file>', 'sweep config (JSON); outDir is relative to its folder')
    .option('--out <dir>', "run folder (overrides the config's outDir)")
    .option('--json <file|->', 'write the outcome (counts, files, provenance) as JSON to a file, or - for stdout')
    .action(async (o: { config: string; out?: string; json?: string }) => {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(o.config, 'utf8'));
      } catch (e) {
        throw new Error(`sweep config: cannot read ${o.config}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const config = parseSweepConfig(json);
      const baseDir = o.out ? process.cwd() : dirname(o.config);
      if (o.out) config.outDir = o.out;
      checkOutputs('sweep', { files: { '--json': o.json }, dirs: { [o.out ? '--out' : 'outDir (config)']: resolve(baseDir, config.outDir) } });
      const controller = new AbortController();
      const onSigint = () => controller.abort(new Error('interrupted'));
      process.once('SIGINT', onSigint);
      let progress: Progress | null = null;
      const pct = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);
      try {
        const outcome = await runSweep(config, {
          baseDir,
          signal: controller.signal,
          onCellStart: (cell, i, total) => {
            progress = new Progress(config.epochs, `[${i + 1}/${total}] ${cell.id}`);
          },
          onEpoch: (_cell, r) => progress?.update(r.epoch, `loss ${r.trainLoss.toFixed(4)} val ${pct(r.valAcc)}`),
          onCellEnd: (r, i, total) => {
            progress?.stop();
            progress = null;
            const what =
              r.status === 'ok'
                ? `best test ${pct(r.best?.testAcc)} @${r.best?.epoch}, final loss ${r.final?.trainLoss?.toFixed(4) ?? 'NaN'}`
                : `${r.status}: ${r.error}`;
            process.stderr.write(`[${i + 1}/${total}] ${r.id}: ${what} (${(r.wallMs / 1000).toFixed(1)} s)\n`);
          },
        });
        const text =
          `${outcome.runDir}: ${outcome.total} cells, ${outcome.skipped} already done, ${outcome.ran} run, ${outcome.failed} failed` +
          `${outcome.brokenLines ? `, ${outcome.brokenLines} unreadable line(s) of cells.jsonl ignored` : ''}`;
        const summary = {
          run_dir: outcome.runDir,
          cells_jsonl: join(outcome.runDir, 'cells.jsonl'),
          summary_csv: join(outcome.runDir, 'summary.csv'),
          total: outcome.total,
          skipped: outcome.skipped,
          ran: outcome.ran,
          failed: outcome.failed,
          broken_lines: outcome.brokenLines,
          provenance: provenance(resolveDevice(config.device)),
        };
        emitSummary({ text, summary, json: o.json, command: 'sweep' });
      } catch (e) {
        if (controller.signal.aborted) {
          throw new Error('sweep interrupted; the finished cells are in cells.jsonl: run the same command again to resume');
        }
        throw e;
      } finally {
        (progress as Progress | null)?.stop();
        process.off('SIGINT', onSigint);
      }
    });
}
