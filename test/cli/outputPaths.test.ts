// The checks every command runs on its output paths before it loads data or trains.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { FathomError } from '../../lib/errors/FathomError.js';
import { checkOutputDir, checkOutputFile, checkOutputs } from '../../lib/cli/outputPaths.js';

const tmp = mkdtempSync(join(tmpdir(), 'fathom-outputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;

function errorOf(fn: () => void): FathomError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FathomError);
    return e as FathomError;
  }
  throw new Error('expected an error');
}

describe('checkOutputFile', () => {
  it('accepts stdout, a new file in an existing folder and an existing file', () => {
    writeFileSync(join(tmp, 'old.json'), '{}');
    expect(() => checkOutputFile('train', '--json', '-')).not.toThrow();
    expect(() => checkOutputFile('train', '--json', join(tmp, 'new.json'))).not.toThrow();
    expect(() => checkOutputFile('train', '--json', join(tmp, 'old.json'))).not.toThrow();
  });

  it('rejects a file in a folder that does not exist, naming the command, the flag, the path and the folder', () => {
    const path = join(tmp, 'nowhere', 'x.json');
    const e = errorOf(() => checkOutputFile('train', '--json', path));
    expect(e.code).toBe('IO');
    expect(e.message).toBe(`train --json ${path}: the folder ${join(tmp, 'nowhere')} does not exist`);
  });

  it('accepts a file directly inside an output folder the same command creates, not one below it', () => {
    const ckpt = join(tmp, 'new-run');
    expect(() => checkOutputs('train', { files: { '--json': join(ckpt, 'summary.json') }, dirs: { '--checkpoint-dir': ckpt } })).not.toThrow();
    const deeper = join(ckpt, 'sub', 'summary.json');
    expect(errorOf(() => checkOutputs('train', { files: { '--json': deeper }, dirs: { '--checkpoint-dir': ckpt } })).message).toContain('does not exist');
  });

  it('rejects a folder, a path under a file and an empty path', () => {
    expect(errorOf(() => checkOutputFile('diagnose', '--json', tmp)).message).toContain('is a folder');
    writeFileSync(join(tmp, 'plain'), '');
    expect(errorOf(() => checkOutputFile('report', '--out', join(tmp, 'plain', 'r.html'))).message).toContain(`${join(tmp, 'plain')} is not a folder`);
    expect(errorOf(() => checkOutputFile('train', '--json', '')).message).toContain('expected a file path');
  });

  // root writes anywhere, so a read-only folder proves nothing there.
  it.skipIf(isRoot)('rejects a folder it may not write', () => {
    const ro = join(tmp, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    try {
      expect(errorOf(() => checkOutputFile('train', '--json', join(ro, 'x.json'))).message).toContain('is not writable');
    } finally {
      chmodSync(ro, 0o700);
    }
  });
});

describe('checkOutputDir', () => {
  it('accepts an existing folder and one it can create under an existing folder', () => {
    expect(() => checkOutputDir('sweep', '--out', tmp)).not.toThrow();
    expect(() => checkOutputDir('sweep', '--out', join(tmp, 'a', 'b', 'c'))).not.toThrow();
  });

  it('rejects a file, and a folder under a file', () => {
    writeFileSync(join(tmp, 'file'), '');
    expect(errorOf(() => checkOutputDir('train', '--checkpoint-dir', join(tmp, 'file'))).message).toBe(
      `train --checkpoint-dir ${join(tmp, 'file')}: exists and is not a folder`,
    );
    expect(errorOf(() => checkOutputDir('sweep', '--out', join(tmp, 'file', 'run'))).message).toContain(`${join(tmp, 'file')} is not a folder`);
  });
});

describe('checkOutputs', () => {
  it('checks every given flag and skips unset ones', () => {
    expect(() => checkOutputs('train', { files: { '--json': undefined }, dirs: { '--checkpoint-dir': undefined } })).not.toThrow();
    expect(errorOf(() => checkOutputs('train', { files: { '--json': join(tmp, 'no', 'x.json') } })).message).toMatch(/^train --json /);
  });
});
