import { FathomError } from '../errors/FathomError.js';

/** The packages `fathom report` draws its charts with: optional peers, not installed with Fathom. */
export const CHART_PACKAGES = ['vega', 'vega-lite', '@resvg/resvg-js'] as const;

export type Importer = (specifier: string) => Promise<unknown>;

// The chart stack is ESM-only (vega-lite with top-level await). In the CommonJS build tsc turns
// import() into require(), which cannot load it: the fallback is a native import() tsc does not see.
const nativeImport = new Function('specifier', 'return import(specifier)') as Importer;

/** import(), by a name in a variable so that neither build resolves it at compile time. */
export async function importEsm(specifier: string): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_REQUIRE_ASYNC_MODULE' || code === 'ERR_REQUIRE_ESM') return await nativeImport(specifier);
    throw e;
  }
}

function isMissing(e: unknown, specifier: string): boolean {
  const { code, message } = e as { code?: string; message?: string };
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String(message).includes(specifier);
}

/**
 * Imports an optional package; where it is not installed, a MISSING_MODULE FathomError names
 * `feature` and the one command that installs all of `packages`.
 *
 * @example
 * const vega = await importOptional('vega', 'fathom report', CHART_PACKAGES);
 */
export async function importOptional<T>(specifier: string, feature: string, packages: readonly string[], importer: Importer = importEsm): Promise<T> {
  try {
    return (await importer(specifier)) as T;
  } catch (e) {
    if (!isMissing(e, specifier)) throw e;
    throw new FathomError(`${feature} needs the optional package ${specifier}, which is not installed: npm install ${packages.join(' ')}`, 'MISSING_MODULE');
  }
}
