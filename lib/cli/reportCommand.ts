import { Command } from 'commander';

import { buildReport } from '../report/buildReport.js';

/** `fathom report RUN_DIR`: one self-contained HTML page (and SVG/PNG charts) for a sweep. */
export function reportCommand(): Command {
  return new Command('report')
    .description('render a sweep run folder to RUN_DIR/report.html and RUN_DIR/charts/*.svg|png')
    .argument('<run-dir>', 'the folder `fathom sweep` wrote (holds cells.jsonl)')
    .option('--title <text>', "page title (default: the sweep's name)")
    .action(async (runDir: string, o: { title?: string }) => {
      const r = await buildReport(runDir, { title: o.title });
      process.stdout.write(`${r.html}: ${r.cells} cells, ${r.charts.length} charts (${r.charts.join(', ')})\n`);
    });
}
