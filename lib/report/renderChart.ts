import type { VlSpec } from './chartSpecs.js';

// The chart stack is ESM-only (vega-lite with top-level await) and typed for Node16 resolution,
// which the CommonJS build does not use: these are the few calls the report makes. The modules
// load on first use, by a name in a variable so that neither build resolves them at compile
// time. In the CommonJS build tsc turns import() into require(), which cannot load them: the
// fallback is a native import() that tsc does not see.
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
const nativeImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

async function importEsm<T>(specifier: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_REQUIRE_ASYNC_MODULE' || code === 'ERR_REQUIRE_ESM') return (await nativeImport(specifier)) as T;
    throw e;
  }
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
  const [vl, vega, { Resvg }] = await Promise.all([importEsm<VegaLite>('vega-lite'), importEsm<Vega>('vega'), importEsm<ResvgModule>('@resvg/resvg-js')]);
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
