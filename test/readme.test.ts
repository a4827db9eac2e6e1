import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { memory } from '../lib/runtime/devices.js';

// The README's TypeScript examples are part of the API contract: each one runs here as
// written, with the package import pointed at the sources.
const root = join(__dirname, '..');
const blocks = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const dir = join(root, 'test', '.readme');

describe('the README examples', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('contains TypeScript examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  it.each(blocks.map((code, i) => [i, code]))('example %i runs and frees every tensor it created', async (i, code) => {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `example${i}.ts`);
    writeFileSync(file, String(code).replaceAll("from 'fathom-gnn'", "from '../../lib/index.js'"));
    const before = memory().cpu.tensors;
    const log = console.log;
    const lines: string[] = [];
    console.log = (...args: unknown[]) => lines.push(args.join(' '));
    try {
      await import(file);
    } finally {
      console.log = log;
    }
    expect(memory().cpu.tensors).toBe(before);
    if (String(code).includes('test accuracy')) {
      const acc = Number(/test accuracy ([\d.]+)%/.exec(lines.join('\n'))?.[1]);
      expect(acc).toBeGreaterThan(75);
    }
  });
});
