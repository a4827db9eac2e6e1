import { CHART_PACKAGES, type Importer, importOptional } from './optionalModules.js';
import type { VlSpec } from './chartSpecs.js';

// The few calls the report makes into the chart stack (typed here: its own types need Node16
// resolution, which the CommonJS build does not use).
interface VegaLite {
  compile(spec: unknown): { spec: unknown };
}
interface VegaView {
  toSVG(): Promise<string>;
  finalize(): void;
}
interface Vega {
  parse(spec: unknown): unknown;
  View: new (runtime: unknown, options: { renderer: 'none' }) => VegaView;
}
interface ResvgModule {
  Resvg: new (svg: string, options: Record<string, unknown>) => { render(): { asPng(): Buffer } };
}
interface ChartStack {
  vl: VegaLite;
  vega: Vega;
  Resvg: ResvgModule['Resvg'];
}

/**
 * Loads vega-lite, vega and resvg (optional packages) on first use; a MISSING_MODULE FathomError
 * says what to install when one is absent.
 *
 * @example
 * await loadChartStack(); // before writing anything
 */
export async function loadChartStack(importer?: Importer): Promise<ChartStack> {
  const load = <T>(name: string) => importOptional<T>(name, 'fathom report (its charts)', CHART_PACKAGES, importer);
  const [vl, vega, { Resvg }] = await Promise.all([load<VegaLite>('vega-lite'), load<Vega>('vega'), load<ResvgModule>('@resvg/resvg-js')]);
  return { vl, vega, Resvg };
}

/** A chart rendered for the page (SVG) and for files (SVG, PNG). */
export interface RenderedChart {
  svg: string;
  png: Buffer;
}

/**
 * Compiles a Vega-Lite spec with vega-lite and renders it headless with vega to SVG (no
 * browser, no canvas), then rasterizes the SVG with resvg at 2× for the PNG. Text is drawn
 * with the machine's fonts (DejaVu Sans preferred, the first system font otherwise).
 *
 * @example
 * const { svg, png } = await renderChart(chartSpecs(records)[0].spec);
 */
export async function renderChart(spec: VlSpec): Promise<RenderedChart> {
  const { vl, vega, Resvg } = await loadChartStack();
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return { svg, png: resvg.render().asPng() };
}

/**
 * Makes a chart's SVG safe to inline next to others: element ids (clip paths, gradients) get
 * a per-chart prefix, since ids are global to the HTML page.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}-${id}"`);
}
