#!/usr/bin/env node
// The `fathom` command: runs the compiled CLI (npm install builds dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/esm/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('fathom: the TypeScript build is missing; run `npm run build:ts` in the package folder\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main();
