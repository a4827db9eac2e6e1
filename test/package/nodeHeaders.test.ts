// The source build's Node-API headers come from this machine (no download), whether the build
// runs under npm or as `node scripts/build-native.js`.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { REPO_ROOT } from '../helpers/apiFixtures.js';

const { findNodeApiHeaders } = createRequire(import.meta.url)(join(REPO_ROOT, 'scripts', 'node-headers.js')) as {
  findNodeApiHeaders(): { includeDir: string; nodedir: string | null; source: string } | null;
};

describe('findNodeApiHeaders', () => {
  it('finds a folder with node_api.h without npm in the environment', () => {
    const saved = process.env.npm_config_nodedir;
    delete process.env.npm_config_nodedir;
    try {
      const found = findNodeApiHeaders();
      expect(found).not.toBeNull();
      expect(existsSync(join(found!.includeDir, 'node_api.h'))).toBe(true);
      expect(existsSync(join(found!.includeDir, 'js_native_api.h'))).toBe(true);
    } finally {
      if (saved !== undefined) process.env.npm_config_nodedir = saved;
    }
  });
});
