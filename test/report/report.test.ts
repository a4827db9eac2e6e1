import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readCells } from '../../lib/experiments/cellRecord.js';
import { buildReport } from '../../lib/report/buildReport.js';
import { diagnosticMetrics } from '../../lib/report/chartSpecs.js';
import { REPO_ROOT, ensureDistBuilt } from '../helpers/apiFixtures.js';
import { SYNTHETIC_METRICS, syntheticCells } from '../helpers/syntheticCells.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const BROWSER_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fathom-report-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A run folder holding hand-made cell records (8 trained cells with diagnostics, 1 failed). */
function syntheticRun(): string {
  const dir = join(tmp, 'synthetic');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'cells.jsonl'),
    syntheticCells({ failed: true })
      .map((r) => `${JSON.stringify(r)}\n`)
      .join(''),
  );
  return dir;
}

/** What a browser sees when it opens the page: errors, requests and the charts drawn. */
async function openInChromium(htmlPath: string) {
  const profile = mkdtempSync(join(tmp, 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: BROWSER_ARGS });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    context.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(htmlPath).href;
    await page.goto(url, { waitUntil: 'load' });
    const charts = await page.locator('section.chart > svg').count();
    // Drawn text has a size: the fonts the SVG names were found.
    const textWidth = await page
      .locator('section.chart > svg text')
      .first()
      .evaluate((t) => (t as unknown as { getBBox(): { width: number } }).getBBox().width);
    const tableRows = await page.locator('table.summary tbody tr').count();
    await page.screenshot({ path: join(tmp, 'page.png'), fullPage: false });
    return { url, errors, requests, charts, textWidth, tableRows };
  } finally {
    await context.close();
  }
}

describe('fathom report from hand-made rows', () => {
  it('draws training curves, one profile per diagnostic metric and accuracy and loss against depth', async () => {
    const dir = syntheticRun();
    const r = await buildReport(dir, { title: 'synthetic' });
    expect(r.charts).toEqual(['training-loss', 'accuracy', ...SYNTHETIC_METRICS.map((m) => `profile-${m}`), 'accuracy-vs-depth', 'loss-vs-depth']);
    expect(r.cells).toBe(9);
    for (const name of r.charts) {
      expect(readFileSync(join(dir, 'charts', `${name}.svg`), 'utf8')).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      const png = readFileSync(join(dir, 'charts', `${name}.png`));
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect(png.readUInt32BE(16)).toBeGreaterThan(400); // IHDR width, at 2×
    }
  });

  it('writes a page with no script and nothing to load', () => {
    const html = readFileSync(join(tmp, 'synthetic', 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/url\(\s*["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/@import/);
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`);
    expect(html.match(/<section class="chart"/g)).toHaveLength(8);
    expect(html).toContain('fit: the training loss is NaN at step 2; training stopped');
  });

  it('scopes element ids per chart so that inline charts never share one', () => {
    const html = readFileSync(join(tmp, 'synthetic', 'report.html'), 'utf8');
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('names the missing file when the folder holds no sweep', async () => {
    await expect(buildReport(join(tmp, 'nowhere'))).rejects.toThrow(/report: .*nowhere\/cells\.jsonl does not exist; run `fathom sweep` into/);
  });
});

describe.skipIf(!HAVE_CHROMIUM)(
  `the report in headless Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is not installed; apt-get install chromium)`}`,
  () => {
    it("opens hand-made rows' report with no console error, no request but the page, and every chart", async () => {
      const dir = syntheticRun();
      const { html, charts } = await buildReport(dir);
      const seen = await openInChromium(html);
      expect(seen.errors).toEqual([]);
      expect(seen.requests).toEqual([seen.url]);
      expect(seen.charts).toBe(charts.length);
      expect(seen.charts).toBe(8);
      expect(seen.textWidth).toBeGreaterThan(0);
      expect(seen.tableRows).toBe(9);
    });

    it('opens the report of a tiny real sweep run through the command line', async () => {
      ensureDistBuilt();
      const config = join(tmp, 'tiny.json');
      writeFileSync(
        config,
        JSON.stringify({
          name: 'tiny',
          dataset: 'cora',
          epochs: 3,
          hidden: 16,
          grid: { depth: [2], seed: [0, 1] },
          diagnostics: { every: 1, metrics: ['featureScale', 'meanCosine', 'gradFeatureNorm'] },
          outDir: 'tiny-run',
        }),
      );
      const env = { ...process.env, OMP_NUM_THREADS: '1', FORCE_COLOR: '0' };
      const sweep = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'fathom.js'), 'sweep', '--config', config], { encoding: 'utf8', env });
      expect(sweep.status, sweep.stderr).toBe(0);
      const runDir = join(tmp, 'tiny-run');
      const report = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'fathom.js'), 'report', runDir], { encoding: 'utf8', env });
      expect(report.status, report.stderr).toBe(0);
      const { records } = readCells(join(runDir, 'cells.jsonl'));
      expect(records.map((r) => r.status)).toEqual(['ok', 'ok']);
      expect(diagnosticMetrics(records)).toEqual(['featureScale', 'meanCosine', 'gradFeatureNorm']);
      const expected = 4 + 3;
      expect(report.stdout).toContain(`2 cells, ${expected} charts`);
      const seen = await openInChromium(join(runDir, 'report.html'));
      expect(seen.errors).toEqual([]);
      expect(seen.requests).toEqual([seen.url]);
      expect(seen.charts).toBe(expected);
      expect(seen.tableRows).toBe(2);
    });
  },
);
