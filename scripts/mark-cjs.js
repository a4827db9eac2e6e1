#!/usr/bin/env node
// dist/cjs holds CommonJS inside a "type": "module" package: a nested package.json says so.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const dir = path.join(__dirname, '..', 'dist', 'cjs');
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
