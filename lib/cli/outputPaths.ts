import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { FathomError } from '../errors/FathomError.js';

// Every path a command will write is checked before it loads data or trains: a typo in
// `--json` must not cost a run whose result is then lost.

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function fail(command: string, flag: string, path: string, why: string): never {
  throw new FathomError(`${command} ${flag} ${path}: ${why}`, 'IO');
}

/**
 * Checks that `path` can be written as a file: its folder exists and is writable, and the path
 * is not a folder or a read-only file. `-` (stdout) passes. Throws a FathomError 'IO' naming
 * the command, the flag and the path.
 *
 * @example
 * checkOutputFile('train', '--json', '/nonexistent/x.json'); // throws: train --json /nonexistent/x.json: the folder /nonexistent does not exist
 */
export function checkOutputFile(command: string, flag: string, path: string, created: readonly string[] = []): void {
  if (path === '-') return;
  if (path.trim() === '') fail(command, flag, `'${path}'`, 'expected a file path (or - for stdout)');
  const full = resolve(path);
  const dir = dirname(full);
  // A file inside an output folder the same command creates (e.g. --json in --checkpoint-dir):
  // that folder's own check stands for it.
  if (!existsSync(dir) && created.includes(dir)) return;
  if (!existsSync(dir)) fail(command, flag, path, `the folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) fail(command, flag, path, `${dir} is not a folder`);
  if (existsSync(full)) {
    if (statSync(full).isDirectory()) fail(command, flag, path, 'is a folder; give a file path');
    if (!writable(full)) fail(command, flag, path, 'the file exists and is not writable');
  } else if (!writable(dir)) fail(command, flag, path, `the folder ${dir} is not writable`);
}

/**
 * Checks that `path` can be used as an output folder that the command creates when missing
 * (as `mkdir -p` does): an existing path must be a writable folder, otherwise its nearest
 * existing ancestor must be. Throws a FathomError 'IO' naming the command, the flag and the path.
 *
 * @example
 * checkOutputDir('train', '--checkpoint-dir', 'runs/cora');
 */
export function checkOutputDir(command: string, flag: string, path: string): void {
  if (path.trim() === '') fail(command, flag, `'${path}'`, 'expected a folder path');
  let dir = resolve(path);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) fail(command, flag, path, 'exists and is not a folder');
    if (!writable(dir)) fail(command, flag, path, 'the folder is not writable');
    return;
  }
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) fail(command, flag, path, `${dir} is not a folder`);
  if (!writable(dir)) fail(command, flag, path, `cannot create it: the folder ${dir} is not writable`);
}

/**
 * Checks every output of a command at once, before it does any work: `files` and `dirs` map a
 * flag to its path (unset flags are skipped). A file may lie inside one of the `dirs`, which the
 * command creates.
 *
 * @example
 * checkOutputs('train', { files: { '--json': o.json }, dirs: { '--checkpoint-dir': o.checkpointDir } });
 */
export function checkOutputs(command: string, o: { files?: Record<string, string | undefined>; dirs?: Record<string, string | undefined> }): void {
  const dirs = Object.entries(o.dirs ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  for (const [flag, path] of dirs) checkOutputDir(command, flag, path);
  const created = dirs.map(([, path]) => resolve(path));
  for (const [flag, path] of Object.entries(o.files ?? {})) if (path !== undefined) checkOutputFile(command, flag, path, created);
}
