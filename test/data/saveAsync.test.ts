import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, saveDataset, saveDatasetAsync, sbmGraph } from '../../lib/data/index.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fathom-save-async-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('saveDatasetAsync', () => {
  it('writes the same files, byte for byte, as saveDataset', async () => {
    const cora = loadDataset('cora');
    saveDataset(join(tmp, 'sync'), cora);
    await saveDatasetAsync(join(tmp, 'async'), cora);
    const files = readdirSync(join(tmp, 'sync')).sort();
    expect(readdirSync(join(tmp, 'async')).sort()).toEqual(files);
    for (const f of files) expect(readFileSync(join(tmp, 'async', f)).equals(readFileSync(join(tmp, 'sync', f))), f).toBe(true);
  });

  it('on abort rejects with the reason and leaves no folder and no temporary file', async () => {
    const graph = sbmGraph({ numNodes: 20_000, numEdges: 400_000, numFeatures: 64, seed: 1 });
    const controller = new AbortController();
    const reason = new Error('stop writing');
    const dir = join(tmp, 'aborted', 'graph');
    const lines: string[] = [];
    const saving = saveDatasetAsync(dir, graph, {
      signal: controller.signal,
      onProgress: (l) => {
        lines.push(l);
        // Abort once the first array is written and the second one is under way.
        if (lines.length === 2) controller.abort(reason);
      },
    });
    await expect(saving).rejects.toBe(reason);
    expect(lines).toEqual(['writing edge_index.i32.gz', 'writing x.f32.gz']);
    expect(existsSync(join(tmp, 'aborted'))).toBe(false);
  });

  it('on abort into an existing folder removes only its own temporary files', async () => {
    const graph = sbmGraph({ numNodes: 2_000, numEdges: 10_000, numFeatures: 8, seed: 2 });
    const dir = join(tmp, 'existing');
    saveDataset(dir, graph);
    const before = readdirSync(dir).sort();
    const meta = readFileSync(join(dir, 'meta.json'));
    const controller = new AbortController();
    const saving = saveDatasetAsync(dir, sbmGraph({ numNodes: 2_000, numEdges: 10_000, numFeatures: 8, seed: 3 }), {
      signal: controller.signal,
      onProgress: () => controller.abort(new Error('no')),
    });
    await expect(saving).rejects.toThrow('no');
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readFileSync(join(dir, 'meta.json')).equals(meta)).toBe(true);
  });
});
