// The memory budget: allocations that each fit in memory but together do not fail with
// OUT_OF_MEMORY (naming the op, the request, the live bytes and the limit) instead of getting
// the process OOM-killed, and the process goes on allocating once tensors are freed.
import { totalmem } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Tensor, getMemoryLimit, matmul, memory, setMemoryLimit } from '../../lib/index.js';
import { expectFathom, liveCpu } from '../helpers/apiFixtures.js';

const MB = 1e6;
let saved: ReturnType<typeof getMemoryLimit>;

beforeEach(() => {
  saved = getMemoryLimit();
});
afterEach(() => {
  setMemoryLimit(saved);
});

describe('memory budget', () => {
  it('defaults to a share of physical memory, reported by memory() as the limit', () => {
    const { cpu } = getMemoryLimit();
    expect(cpu).toBeGreaterThan(0);
    // 80 % of physical memory, or less under a container's memory limit.
    expect(cpu).toBeLessThanOrEqual(0.8 * totalmem());
    expect(memory().cpu.limit).toBe(cpu);
  });

  it('refuses the allocation that would take the live bytes past the limit, naming the op, the sizes and the limit', () => {
    const base = liveCpu().bytes;
    const limit = base + 30 * MB;
    setMemoryLimit({ cpu: limit });
    // Three 12 MB tensors under a 30 MB budget: two fit, the third does not.
    using a = Tensor.full([3e6], 1);
    using b = Tensor.full([3e6], 2);
    const e = expectFathom(
      () => Tensor.full([3e6], 3),
      'OUT_OF_MEMORY',
      'fill: could not allocate 12000000 bytes on cpu',
      `${base + 24 * MB} bytes are live`,
      `the memory limit is ${limit} bytes`,
    );
    expect(e.message).toContain('setMemoryLimit');
    expect(liveCpu().bytes).toBe(base + 24 * MB);
    expect(a.toArray()[0] + b.toArray()[2999999]).toBe(3);
  });

  it('lets the process allocate again once tensors are freed', () => {
    const base = liveCpu();
    setMemoryLimit({ cpu: base.bytes + 30 * MB });
    const a = Tensor.full([3e6], 1);
    using b = Tensor.full([3e6], 2);
    expectFathom(() => Tensor.full([3e6], 3), 'OUT_OF_MEMORY', 'fill');
    a.dispose();
    using c = Tensor.full([3e6], 3);
    expect(c.toArray()[123] - b.toArray()[123]).toBe(1);
    expect(liveCpu().tensors).toBe(base.tensors + 2);
  });

  it("names the op whose output does not fit (matmul's product)", () => {
    using x = Tensor.full([1000, 10], 1);
    using y = Tensor.full([10, 1000], 1);
    const base = liveCpu().bytes;
    setMemoryLimit({ cpu: base + 3 * MB });
    expectFathom(() => matmul(x, y), 'OUT_OF_MEMORY', 'matmul: could not allocate 4000000 bytes on cpu');
    setMemoryLimit({ cpu: base + 5 * MB });
    using z = matmul(x, y);
    expect(z.toArray()[999999]).toBe(10);
  });

  it('refuses three Tensor.full([3e9]) calls under a lowered limit without touching their memory', () => {
    // Each 12 GB request used to pass the "below physical memory" check on its own; three of
    // them together got the process OOM-killed.
    const before = liveCpu();
    setMemoryLimit({ cpu: 10e9 });
    for (let i = 0; i < 3; i++) {
      expectFathom(() => Tensor.full([3e9], 1), 'OUT_OF_MEMORY', 'fill: could not allocate 12000000000 bytes on cpu', 'the memory limit is 10000000000 bytes');
    }
    expect(liveCpu()).toEqual(before);
    using small = Tensor.full([4], 2);
    expect(Array.from(small.toArray())).toEqual([2, 2, 2, 2]);
  });

  it('takes Infinity for no limit and keeps the limit of a device not named', () => {
    const { cuda } = getMemoryLimit();
    setMemoryLimit({ cpu: Infinity });
    expect(getMemoryLimit()).toEqual({ cpu: Infinity, cuda });
    expect(memory().cpu.limit).toBe(Infinity);
  });

  it('rejects limits that are not whole numbers of bytes, naming the device and the value', () => {
    expectFathom(() => setMemoryLimit({ cpu: -1 }), 'RANGE', 'setMemoryLimit: the cpu limit must be a whole number of bytes >= 0 or Infinity, got -1');
    expectFathom(() => setMemoryLimit({ cuda: 1.5 }), 'RANGE', 'the cuda limit', 'got 1.5');
    expectFathom(() => setMemoryLimit({ cpu: Number.NaN }), 'RANGE', 'got nan');
    expectFathom(() => setMemoryLimit({ gpu: 1 } as never), 'RANGE', "unknown device 'gpu'");
    expect(() => setMemoryLimit({ cpu: '1e9' } as never)).toThrow(TypeError);
    expect(() => setMemoryLimit(null as never)).toThrow(TypeError);
    expect(getMemoryLimit()).toEqual(saved);
  });
});
