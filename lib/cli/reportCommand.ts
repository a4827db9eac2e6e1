import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { Command } from 'commander';

import { buildReport } from '../report/buildReport.js';
import { checkOutputs } from './outputPaths.js';
import { emitSummary } from './summaryOutput.js';

/** `fathom report RUN_DIR`: one self-contained HTML page (and SVG/PNG charts) for a sweep. */
export function reportCommand(): Command {
  return new Command('report')
    .description('render a sweep run folder to RUN_DIR/report.html and RUN_DIR/charts/*.svg|png')
    .argument('<run-dir>', 'the folder `fathom sweep` wrote (holds cells.jsonl)')
    .option('--title <text>', "page title (default: the sweep's name)")
    .option('--out <file>', 'write the page here instead of RUN_DIR/report.html (the charts go to charts/ next to it)')
    .option('--json <file|->', 'write the outcome (page, charts, cell count) as JSON to a file, or - for stdout')
    .action(async (runDir: string, o: { title?: string; out?: string; json?: string }) => {
      const page = o.out ?? join(runDir, 'report.html');
      const pageFlag = o.out === undefined ? 'RUN_DIR' : '--out';
      // A missing run folder is reported by buildReport, which says what to run first.
      if (existsSync(runDir) || o.out !== undefined)
        checkOutputs('report', { files: { [pageFlag]: page, '--json': o.json }, dirs: { [`${pageFlag} (charts/)`]: join(dirname(resolve(page)), 'charts') } });
      const r = await buildReport(runDir, { title: o.title, out: o.out });
      const text = `${r.html}: ${r.cells} cells, ${r.charts.length} charts (${r.charts.join(', ')})`;
      emitSummary({ text, summary: { html: r.html, chart_dir: r.chartDir, charts: r.charts, cells: r.cells }, json: o.json, command: 'report' });
    });
}
