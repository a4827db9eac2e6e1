// Prints the node_modules folders that the packages named on the command line need at run time
// (their dependencies and optional dependencies, transitively), one per line, relative to the
// project root: the list bench/gpu/prepare.sh packs so that vitest runs on a machine whose
// node_modules holds only the production dependencies.
//   node bench/gpu/dev-closure.mjs vitest
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
const top = join(root, 'node_modules');
const seen = new Set();
const queue = process.argv.slice(2);
if (queue.length === 0) throw new RangeError('dev-closure: name at least one package, e.g. vitest');
while (queue.length > 0) {
  const name = /** @type {string} */ (queue.pop());
  if (seen.has(name)) continue;
  const dir = join(top, name);
  // Nested copies (node_modules/a/node_modules/b) travel inside their parent's folder.
  if (!existsSync(join(dir, 'package.json'))) continue;
  seen.add(name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) queue.push(dep);
}
for (const name of [...seen].sort()) console.log(relative(root, join(top, name)));
