import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { datasetsDir, findPackageRoot } from '../../lib/data/index.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/[\\/]$/, '');
const source = readFileSync(join(repoRoot, 'lib', 'runtime', 'packageRoot.ts'), 'utf8');

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fathom-root-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Compiles packageRoot.ts the way the ESM or CJS build does and writes it to `file`. */
function emit(file: string, module: 'esm' | 'cjs'): void {
  const out = ts.transpileModule(source, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: module === 'esm' ? ts.ModuleKind.ES2022 : ts.ModuleKind.CommonJS,
    },
  });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, out.outputText);
}

function writeJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value));
}

/** Runs node in `cwd` (outside the package unless said otherwise) and returns what findPackageRoot() printed. */
function rootFrom(file: string, module: 'esm' | 'cjs', cwd: string): string {
  const code =
    module === 'esm'
      ? `import { findPackageRoot } from ${JSON.stringify(pathToFileURL(file).href)}; console.log(findPackageRoot());`
      : `console.log(require(${JSON.stringify(file)}).findPackageRoot());`;
  const args = module === 'esm' ? ['--input-type=module', '-e', code] : ['-e', code];
  return execFileSync(process.execPath, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

describe('findPackageRoot', () => {
  it('finds this repository from the TypeScript sources under vitest', () => {
    expect(findPackageRoot()).toBe(repoRoot);
    expect(datasetsDir()).toBe(join(repoRoot, 'datasets'));
  });

  it('walks up from a given folder', () => {
    const pkg = join(tmp, 'pkg');
    writeJson(join(pkg, 'package.json'), { name: 'fathom-gnn' });
    writeJson(join(pkg, 'a', 'b', 'package.json'), { type: 'commonjs' });
    expect(findPackageRoot(join(pkg, 'a', 'b', 'c'))).toBe(pkg);
    expect(() => findPackageRoot(tmp)).toThrow(/no package\.json with "name": "fathom-gnn"/);
  });

  it('finds the package from an ESM build, whatever the working directory', () => {
    const pkg = join(tmp, 'pkg');
    writeJson(join(pkg, 'package.json'), { name: 'fathom-gnn', type: 'module' });
    emit(join(pkg, 'dist', 'esm', 'runtime', 'packageRoot.js'), 'esm');
    expect(rootFrom(join(pkg, 'dist', 'esm', 'runtime', 'packageRoot.js'), 'esm', tmp)).toBe(pkg);
  });

  it('finds the package from a CJS build with its nested package.json', () => {
    const pkg = join(tmp, 'pkg');
    writeJson(join(pkg, 'package.json'), { name: 'fathom-gnn', type: 'module' });
    writeJson(join(pkg, 'dist', 'cjs', 'package.json'), { type: 'commonjs' });
    emit(join(pkg, 'dist', 'cjs', 'runtime', 'packageRoot.js'), 'cjs');
    expect(rootFrom(join(pkg, 'dist', 'cjs', 'runtime', 'packageRoot.js'), 'cjs', tmp)).toBe(pkg);
  });

  it('falls back to node_modules/fathom-gnn under the working directory when bundled elsewhere', () => {
    const app = join(tmp, 'app');
    writeJson(join(app, 'package.json'), { name: 'some-app', type: 'module' });
    writeJson(join(app, 'node_modules', 'fathom-gnn', 'package.json'), { name: 'fathom-gnn' });
    emit(join(tmp, 'bundle', 'bundle.js'), 'esm');
    writeJson(join(tmp, 'bundle', 'package.json'), { type: 'module' });
    expect(rootFrom(join(tmp, 'bundle', 'bundle.js'), 'esm', app)).toBe(join(app, 'node_modules', 'fathom-gnn'));
  });
});
