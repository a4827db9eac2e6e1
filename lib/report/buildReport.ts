import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import { requireObject } from '../errors/args.js';
import { readCells } from '../experiments/cellRecord.js';
import { chartSpecs } from './chartSpecs.js';
import { loadChartStack, renderChart, scopeSvgIds } from './renderChart.js';
import { reportHtml, type ReportSection } from './reportHtml.js';

export interface ReportOutcome {
  html: string;
  /** The folder of the chart files: `charts/` next to the page. */
  chartDir: string;
  /** The chart names, in page order; each has charts/NAME.svg and charts/NAME.png. */
  charts: string[];
  cells: number;
}

/**
 * Renders a sweep's run folder into `RUN_DIR/report.html` (self-contained: inline SVG, inline
 * CSS, no scripts) and every chart into `RUN_DIR/charts/NAME.svg` and `.png`; with `out`, the
 * page goes there and the charts into `charts/` next to it.
 *
 * @example
 * const { html, charts } = await buildReport('experiments/init-speed/results');
 */
export async function buildReport(runDir: string, options: { title?: string; out?: string } = {}): Promise<ReportOutcome> {
  if (typeof runDir !== 'string') throw new TypeError(`buildReport: argument runDir must be a folder path, got ${runDir === null ? 'null' : typeof runDir}`);
  requireObject('buildReport', 'options', options);
  const dir = resolve(runDir);
  const cellsPath = join(dir, 'cells.jsonl');
  if (!existsSync(cellsPath)) throw new RangeError(`report: ${cellsPath} does not exist; run \`fathom sweep\` into ${runDir} first`);
  const { records } = readCells(cellsPath);
  if (records.length === 0) throw new RangeError(`report: ${cellsPath} holds no finished cell`);
  if (options.out !== undefined && typeof options.out !== 'string')
    throw new TypeError(`buildReport: option out must be a file path, got ${typeof options.out}`);
  const config = readConfig(dir);
  const specs = chartSpecs(records);
  const html = options.out === undefined ? join(dir, 'report.html') : resolve(options.out);
  const chartDir = join(dirname(html), 'charts');
  await loadChartStack(); // says what to install before anything is written
  mkdirSync(chartDir, { recursive: true });
  const sections: ReportSection[] = [];
  for (const c of specs) {
    const { svg, png } = await renderChart(c.spec);
    writeFileSync(join(chartDir, `${c.name}.svg`), svg);
    writeFileSync(join(chartDir, `${c.name}.png`), png);
    sections.push({ name: c.name, title: c.title, svg: scopeSvgIds(svg, c.name) });
  }
  const title = options.title ?? config.name ?? basename(dir);
  writeFileSync(html, reportHtml({ title, description: config.description, records, sections, generatedAt: new Date().toISOString() }));
  return { html, chartDir, charts: specs.map((c) => c.name), cells: records.length };
}

function readConfig(dir: string): { name?: string; description?: string } {
  try {
    return JSON.parse(readFileSync(join(dir, 'sweep.resolved.json'), 'utf8')) as { name?: string; description?: string };
  } catch {
    return {};
  }
}
