/** The label a group drawn from one seed carries in place of a band. */
export const ONE_SEED = '1 seed: no spread';

/** Rows of a chart against depth, each with the number of seeds behind its point and its legend label. */
export interface SeedGrouping {
  rows: Record<string, unknown>[];
  /** 'all': every point has more than one seed; 'none': no point has; 'some': in between. */
  spread: 'all' | 'some' | 'none';
}

/**
 * Counts the seeds behind every point (dataset, method, depth) of a chart against depth. A
 * standard deviation of one value is no spread, and a band of zero width (or none) reads as a
 * perfectly reproducible result: such points get `seeds: 1`, drawn without a band, and their
 * method's legend label says so, `gcn (1 seed: no spread)`, or names the depths where only
 * some have one seed.
 *
 * @example
 * const { rows, spread } = groupBySeeds(finals); // rows[i].group: 'gcn' or 'gcn (1 seed: no spread)'
 */
export function groupBySeeds(input: readonly Record<string, unknown>[]): SeedGrouping {
  const key = (r: Record<string, unknown>) => `${String(r.dataset)}\u0000${String(r.method)}`;
  const point = (r: Record<string, unknown>) => `${key(r)}\u0000${String(r.depth)}`;
  const seeds = new Map<string, Set<unknown>>();
  for (const r of input) {
    const s = seeds.get(point(r)) ?? new Set();
    s.add(r.seed);
    seeds.set(point(r), s);
  }
  // Per (dataset, method): the depths with a single seed, and how many depths in all.
  const single = new Map<string, { depths: number[]; total: Set<unknown> }>();
  for (const r of input) {
    const g = single.get(key(r)) ?? { depths: [], total: new Set() };
    if (!g.total.has(r.depth)) {
      g.total.add(r.depth);
      if (seeds.get(point(r))!.size === 1) g.depths.push(r.depth as number);
    }
    single.set(key(r), g);
  }
  const label = (r: Record<string, unknown>) => {
    const g = single.get(key(r))!;
    if (g.depths.length === 0) return String(r.method);
    if (g.depths.length === g.total.size) return `${String(r.method)} (${ONE_SEED})`;
    return `${String(r.method)} (1 seed at depth ${[...g.depths].sort((a, b) => a - b).join(', ')}: no spread)`;
  };
  const rows = input.map((r) => ({ ...r, seeds: seeds.get(point(r))!.size, group: label(r) }));
  const ones = rows.filter((r) => r.seeds === 1).length;
  return { rows, spread: ones === 0 ? 'all' : ones === rows.length ? 'none' : 'some' };
}

/** How a chart's heading describes its bands. */
export function spreadPhrase(spread: SeedGrouping['spread']): string {
  if (spread === 'none') return `one seed per point (${ONE_SEED})`;
  if (spread === 'some') return `mean ± sd over seeds; points from one seed have no band`;
  return 'mean ± sd over seeds';
}
