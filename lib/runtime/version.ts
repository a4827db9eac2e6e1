import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { findPackageRoot as packageRoot } from './packageRoot.js';

/** The package version from package.json. */
export function version(): string {
  return JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version as string;
}
