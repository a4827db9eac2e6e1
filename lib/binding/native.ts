import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { FathomError, type FathomErrorCode } from '../errors/FathomError.js';
import { findPackageRoot as packageRoot } from '../runtime/packageRoot.js';
import type { NativeBinding } from './types.js';

let binding: NativeBinding | undefined;

const CANDIDATES = ['build/Release/fathom.node', 'build/Debug/fathom.node'];

/**
 * The loaded addon. Loaded on first use so that importing Fathom never fails: the error,
 * when the addon was not built, says how to build it.
 */
export function native(): NativeBinding {
  if (binding) return binding;
  const root = packageRoot();
  const path = CANDIDATES.map((c) => join(root, c)).find((p) => existsSync(p));
  if (!path) {
    throw new FathomError(
      `Fathom's native addon is not built (looked for ${CANDIDATES.join(', ')} under ${root}). ` +
        'Build it with `npm run build:native` inside the package, or, where npm 11 held back the install ' +
        'script, approve it with `npm install-scripts approve fathom-gnn` and run `npm rebuild fathom-gnn`.',
      'NOT_BUILT',
    );
  }
  const loaded = createRequire(join(root, 'package.json'))(path) as NativeBinding;
  loaded.setErrorClass(
    class extends FathomError {
      constructor(message: string, code: string) {
        super(message, code as FathomErrorCode);
      }
    },
  );
  binding = loaded;
  return loaded;
}
