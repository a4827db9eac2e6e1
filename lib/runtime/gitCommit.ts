import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * The commit checked out in the git work tree at `root`, read from the files git keeps
 * (`.git/HEAD`, the ref it names, `packed-refs`), without running git: null when `root` is not
 * a git checkout (an installed package) or the files do not say. Follows a `.git` file
 * (`gitdir: …`, as linked worktrees and submodules have) and a worktree's `commondir`.
 *
 * @example
 * gitCommit('/work/fathom'); // 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4', or null
 */
export function gitCommit(root: string): string | null {
  try {
    const gitDir = findGitDir(root);
    if (!gitDir) return null;
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (SHA.test(head)) return head;
    const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
    if (!ref) return null;
    const commonDir = readCommonDir(gitDir);
    for (const dir of commonDir === gitDir ? [gitDir] : [gitDir, commonDir]) {
      const loose = readRef(join(dir, ref));
      if (loose) return loose;
    }
    return packedRef(join(commonDir, 'packed-refs'), ref);
  } catch {
    // An unreadable or half-written git folder says nothing reliable about the commit.
    return null;
  }
}

function findGitDir(root: string): string | null {
  const dotGit = join(root, '.git');
  if (!existsSync(dotGit)) return null;
  if (statSync(dotGit).isDirectory()) return dotGit;
  const target = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
  if (!target) return null;
  return isAbsolute(target) ? target : resolve(root, target);
}

function readCommonDir(gitDir: string): string {
  const file = join(gitDir, 'commondir');
  if (!existsSync(file)) return gitDir;
  const dir = readFileSync(file, 'utf8').trim();
  return isAbsolute(dir) ? dir : resolve(gitDir, dir);
}

function readRef(path: string): string | null {
  if (!existsSync(path)) return null;
  const sha = readFileSync(path, 'utf8').trim();
  return SHA.test(sha) ? sha : null;
}

function packedRef(path: string, ref: string): string | null {
  if (!existsSync(path)) return null;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [sha, name] = line.trim().split(/\s+/);
    if (name === ref && SHA.test(sha)) return sha;
  }
  return null;
}
