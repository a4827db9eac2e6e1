import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

import { DIST_INDEX } from '../helpers/apiFixtures.js';

// libgomp prints its settings at load with OMP_DISPLAY_ENV=verbose; its spin count is 0 when
// passive (300000 by default): what the addon loaded with.
function loadWith(env: Record<string, string>): { spin: string | undefined; after: string } {
  const script = `const F = await import(${JSON.stringify(pathToFileURL(DIST_INDEX).href)});
F.devices();
process.stdout.write(String(process.env.OMP_WAIT_POLICY));`;
  const base = { ...process.env };
  delete base.OMP_WAIT_POLICY;
  delete base.GOMP_SPINCOUNT;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...base, OMP_DISPLAY_ENV: 'verbose', ...env },
  });
  expect(r.status).toBe(0);
  return { spin: /GOMP_SPINCOUNT = '(\d+)'/.exec(r.stderr)?.[1], after: r.stdout };
}

describe('the OpenMP wait policy the addon loads with', () => {
  it('is passive by default, and the process environment is left as it was', () => {
    expect(loadWith({})).toEqual({ spin: '0', after: 'undefined' });
  });

  it("is the user's own when OMP_WAIT_POLICY or GOMP_SPINCOUNT is set", () => {
    expect(loadWith({ OMP_WAIT_POLICY: 'active' }).after).toBe('active');
    expect(Number(loadWith({ OMP_WAIT_POLICY: 'active' }).spin)).toBeGreaterThan(0);
    expect(loadWith({ GOMP_SPINCOUNT: '1000' })).toEqual({ spin: '1000', after: 'undefined' });
  });
});
