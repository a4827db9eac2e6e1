// gitCommit() reads the checked-out commit from git's files; each fixture below is a git folder
// laid out by hand as git writes it, and the real checkout is compared with `git rev-parse`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { gitCommit } from '../../lib/runtime/gitCommit.js';
import { REPO_ROOT } from '../helpers/apiFixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'fathom-git-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const A = 'a'.repeat(40);
const B = '0123456789abcdef0123456789abcdef01234567';

/** Writes `files` (path → text) under a fresh folder named `name` and returns it. */
function tree(name: string, files: Record<string, string>): string {
  const root = join(tmp, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  mkdirSync(root, { recursive: true });
  return root;
}

function hasGit(): boolean {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('gitCommit', () => {
  it('follows HEAD to a loose branch ref', () => {
    const root = tree('loose', { '.git/HEAD': 'ref: refs/heads/main\n', '.git/refs/heads/main': `${A}\n` });
    expect(gitCommit(root)).toBe(A);
  });

  it('reads a detached HEAD', () => {
    expect(gitCommit(tree('detached', { '.git/HEAD': `${B}\n` }))).toBe(B);
  });

  it('finds a ref that git has packed', () => {
    const root = tree('packed', {
      '.git/HEAD': 'ref: refs/heads/topic\n',
      '.git/packed-refs': `# pack-refs with: peeled fully-peeled sorted\n${A} refs/heads/main\n${B} refs/heads/topic\n`,
    });
    expect(gitCommit(root)).toBe(B);
  });

  it('follows a .git file to a linked worktree whose branch lives in the common folder', () => {
    tree('main', { '.git/HEAD': 'ref: refs/heads/main\n', '.git/refs/heads/main': `${A}\n`, '.git/refs/heads/side': `${B}\n` });
    const wt = tree('wt', {
      '.git': `gitdir: ${join(tmp, 'main', '.git', 'worktrees', 'wt')}\n`,
      '../main/.git/worktrees/wt/HEAD': 'ref: refs/heads/side\n',
      '../main/.git/worktrees/wt/commondir': '../..\n',
    });
    expect(gitCommit(wt)).toBe(B);
  });

  it('is null outside a git checkout, for an unborn branch and for a HEAD it cannot read', () => {
    expect(gitCommit(tree('plain', { 'package.json': '{}' }))).toBeNull();
    expect(gitCommit(tree('unborn', { '.git/HEAD': 'ref: refs/heads/main\n' }))).toBeNull();
    expect(gitCommit(tree('garbage', { '.git/HEAD': 'not a ref\n' }))).toBeNull();
    expect(gitCommit(tree('bad-gitfile', { '.git': 'nonsense\n' }))).toBeNull();
  });

  it.runIf(hasGit() && existsSync(join(REPO_ROOT, '.git')))("agrees with `git rev-parse HEAD` on the package's own checkout", () => {
    const expected = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    expect(gitCommit(REPO_ROOT)).toBe(expected);
  });
});
