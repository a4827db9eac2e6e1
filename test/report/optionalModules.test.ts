// The report's chart packages are optional: a missing one gives a one-line message with the
// install command, any other failure passes through.
import { describe, expect, it } from 'vitest';

import { FathomError } from '../../lib/errors/FathomError.js';
import { loadChartStack } from '../../lib/report/renderChart.js';
import { CHART_PACKAGES, importOptional } from '../../lib/report/optionalModules.js';

const missing = (specifier: string) => Object.assign(new Error(`Cannot find package '${specifier}' imported from /x.js`), { code: 'ERR_MODULE_NOT_FOUND' });

describe('importOptional', () => {
  it('says what to install when the package is really absent', async () => {
    const e = await importOptional('fathom-no-such-package', 'fathom report', ['fathom-no-such-package', 'other']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FathomError);
    expect((e as FathomError).code).toBe('MISSING_MODULE');
    expect((e as FathomError).message).toBe(
      'fathom report needs the optional package fathom-no-such-package, which is not installed: npm install fathom-no-such-package other',
    );
  });

  it('passes on an error that is not about the package missing', async () => {
    const boom = new Error('syntax error in vega');
    await expect(importOptional('vega', 'fathom report', CHART_PACKAGES, () => Promise.reject(boom))).rejects.toBe(boom);
    const other = missing('d3-array');
    await expect(importOptional('vega', 'fathom report', CHART_PACKAGES, () => Promise.reject(other))).rejects.toBe(other);
  });
});

describe('loadChartStack', () => {
  it('names all three chart packages in one install line when one of them is missing', async () => {
    for (const absent of CHART_PACKAGES) {
      const importer = (s: string) => (s === absent ? Promise.reject(missing(s)) : Promise.resolve({ Resvg: class {} }));
      const e = (await loadChartStack(importer).catch((x: unknown) => x)) as FathomError;
      expect(e.code).toBe('MISSING_MODULE');
      expect(e.message).toContain(`optional package ${absent}`);
      expect(e.message).toMatch(/npm install vega vega-lite @resvg\/resvg-js$/);
    }
  });

  it('loads the installed chart stack', async () => {
    const stack = await loadChartStack();
    expect(typeof stack.vl.compile).toBe('function');
    expect(typeof stack.Resvg).toBe('function');
  });
});
