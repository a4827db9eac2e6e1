// Shared fixtures for the API, training and CLI tests: memory snapshots, error assertions,
// small learnable graphs and the compiled build the CLI and child processes run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

import { sbmGraph, type SbmOptions } from '../../lib/data/sbmGraph.js';
import { FathomError, type FathomErrorCode } from '../../lib/errors/FathomError.js';
import type { SyntheticGraph } from '../../lib/data/types.js';
import { GCN } from '../../lib/models/GCN.js';
import { memory } from '../../lib/runtime/devices.js';
import { NodeData } from '../../lib/data/NodeData.js';

/** The repository root (the folder holding package.json). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Live native CPU tensors and bytes: what must come back to a baseline after disposal. */
export function liveCpu(): { tensors: number; bytes: number } {
  const m = memory().cpu;
  return { tensors: m.tensors, bytes: m.bytes };
}

type ErrorClass = new (...args: never[]) => Error;

/**
 * Runs `fn`, expects it to throw an instance of `cls` whose message matches every pattern
 * (strings match literally), and returns the error for further checks.
 */
export function expectThrows(fn: () => unknown, cls: ErrorClass, ...patterns: (string | RegExp)[]): Error {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  return checkError(caught, cls, patterns);
}

/** As {@link expectThrows}, for a promise that must reject. */
export async function expectRejects(promise: Promise<unknown>, cls: ErrorClass, ...patterns: (string | RegExp)[]): Promise<Error> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  return checkError(caught, cls, patterns);
}

/**
 * Runs `fn` and expects a FathomError with `code` whose message matches every pattern: the one
 * class and code every value check (dtype, shape, device, range) throws (docs/errors.md).
 */
export function expectFathom(fn: () => unknown, code: FathomErrorCode, ...patterns: (string | RegExp)[]): FathomError {
  const e = expectThrows(fn, FathomError, ...patterns) as FathomError;
  expect(e.code, e.message).toBe(code);
  return e;
}

/** As {@link expectFathom}, for a promise that must reject. */
export async function expectFathomRejects(promise: Promise<unknown>, code: FathomErrorCode, ...patterns: (string | RegExp)[]): Promise<FathomError> {
  const e = (await expectRejects(promise, FathomError, ...patterns)) as FathomError;
  expect(e.code, e.message).toBe(code);
  return e;
}

function checkError(caught: unknown, cls: ErrorClass, patterns: (string | RegExp)[]): Error {
  expect(caught, 'expected an error to be thrown').toBeDefined();
  expect(caught).toBeInstanceOf(cls);
  const message = (caught as Error).message;
  for (const p of patterns) {
    if (typeof p === 'string') expect(message).toContain(p);
    else expect(message).toMatch(p);
  }
  return caught as Error;
}

/** Default size of the small learnable graph: a few hundred nodes, trains in well under a second per epoch. */
export const SMALL_SBM: SbmOptions = { numNodes: 240, numEdges: 2400, numFeatures: 16, numClasses: 4, homophily: 0.85, seed: 3 };

/** A small stochastic-block-model graph (host arrays only: nothing to dispose). */
export function smallSbm(overrides: Partial<SbmOptions> = {}): SyntheticGraph {
  return sbmGraph({ ...SMALL_SBM, ...overrides });
}

/** A two-layer GCN sized for `data`; the caller disposes it. */
export function smallGcn(data: NodeData, options: { seed?: number; hidden?: number; dropout?: number } = {}): GCN {
  return new GCN({
    inChannels: data.numFeatures,
    hiddenChannels: options.hidden ?? 16,
    outChannels: data.numClasses,
    seed: options.seed ?? 0,
    dropout: options.dropout ?? 0.5,
  });
}

/** NodeData for {@link smallSbm}; the caller disposes it. */
export function smallNodeData(overrides: Partial<SbmOptions> = {}): NodeData {
  return NodeData.from(smallSbm(overrides));
}

/** The compiled ESM entry point that child processes and the CLI run. */
export const DIST_INDEX = join(REPO_ROOT, 'dist', 'esm', 'index.js');
export const DIST_CLI = join(REPO_ROOT, 'dist', 'esm', 'cli', 'main.js');

/**
 * Builds dist/ with `npm run build:ts` when the compiled CLI or index is missing. A lock
 * folder keeps two test files (separate forks) from running tsc at once.
 */
export function ensureDistBuilt(): void {
  if (existsSync(DIST_CLI) && existsSync(DIST_INDEX)) return;
  const lock = join(REPO_ROOT, 'node_modules', '.fathom-test-build.lock');
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`ensureDistBuilt: lock ${lock} held for 5 minutes`);
      execFileSync(process.execPath, ['-e', 'setTimeout(() => {}, 500)']);
      if (existsSync(DIST_CLI) && existsSync(DIST_INDEX)) return;
    }
  }
  try {
    if (!(existsSync(DIST_CLI) && existsSync(DIST_INDEX))) {
      execFileSync('npm', ['run', 'build:ts'], { cwd: REPO_ROOT, stdio: 'pipe' });
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
