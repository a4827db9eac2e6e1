// `prepare` (scripts/build-ts.js --if-stale) on a small stand-in package: it builds dist/ when it
// is missing or older than lib/, leaves it alone otherwise, and replaces it by a rename so that a
// reader of the old files never sees them rewritten.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  closeSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { REPO_ROOT } from '../helpers/apiFixtures.js';

let root = '';
const build = (...args: string[]) => execFileSync(process.execPath, [join(root, 'scripts', 'build-ts.js'), ...args], { cwd: root, encoding: 'utf8' });
const inode = (p: string) => statSync(join(root, p)).ino;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fathom-build-ts-'));
  mkdirSync(join(root, 'scripts'));
  mkdirSync(join(root, 'lib', 'cli'), { recursive: true });
  copyFileSync(join(REPO_ROOT, 'scripts', 'build-ts.js'), join(root, 'scripts', 'build-ts.js'));
  writeFileSync(join(root, 'scripts', 'package.json'), '{ "type": "commonjs" }\n');
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: [] } }),
  );
  writeFileSync(
    join(root, 'tsconfig.build.json'),
    JSON.stringify({ extends: './tsconfig.json', compilerOptions: { rootDir: 'lib', outDir: 'dist/esm' }, include: ['lib/**/*.ts'] }),
  );
  writeFileSync(
    join(root, 'tsconfig.cjs.json'),
    JSON.stringify({
      extends: './tsconfig.json',
      compilerOptions: { rootDir: 'lib', outDir: 'dist/cjs', module: 'CommonJS', moduleResolution: 'Node10' },
      include: ['lib/**/*.ts'],
    }),
  );
  writeFileSync(join(root, 'lib', 'index.ts'), 'export const answer = 1;\n');
  writeFileSync(join(root, 'lib', 'cli', 'main.ts'), 'export const main = 1;\n');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('prepare (build-ts --if-stale)', () => {
  it('builds dist/ when it is missing, ESM and CommonJS, with no temporary folder left', () => {
    build('--if-stale');
    expect(readFileSync(join(root, 'dist', 'esm', 'index.js'), 'utf8')).toContain('answer = 1');
    expect(readFileSync(join(root, 'dist', 'cjs', 'index.js'), 'utf8')).toContain('exports.answer');
    expect(JSON.parse(readFileSync(join(root, 'dist', 'cjs', 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
    expect(readdirSync(root).filter((f) => f.startsWith('.dist-'))).toEqual([]);
  });

  it('leaves an up-to-date dist/ untouched', () => {
    const before = [inode('dist'), inode('dist/esm/index.js')];
    expect(build('--if-stale')).toContain('up to date');
    expect([inode('dist'), inode('dist/esm/index.js')]).toEqual(before);
  });

  it('rebuilds when a source is newer, by swapping folders: an open old file keeps its contents', () => {
    const oldDir = inode('dist');
    const fd = openSync(join(root, 'dist', 'esm', 'index.js'), 'r');
    try {
      writeFileSync(join(root, 'lib', 'index.ts'), 'export const answer = 2;\n');
      const future = new Date(Date.now() + 5_000);
      utimesSync(join(root, 'lib', 'index.ts'), future, future);
      build('--if-stale');
      const buf = Buffer.alloc(200);
      const n = readSync(fd, buf, 0, 200, 0);
      expect(buf.subarray(0, n).toString()).toContain('answer = 1');
    } finally {
      closeSync(fd);
    }
    expect(inode('dist')).not.toBe(oldDir);
    expect(readFileSync(join(root, 'dist', 'esm', 'index.js'), 'utf8')).toContain('answer = 2');
  });
});
