// The small graph the dataset-format tests write in every format: 7 nodes, 3 classes, 3 features,
// 9 directed edges (a self loop 4→4 and a repeated 0→1 included, so nothing is coalesced on the
// way), with fixed masks.
export const N = 7;
export const EDGES: [number, number][] = [
  [0, 1],
  [1, 0],
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 2],
  [4, 4],
  [5, 6],
  [6, 5],
];
export const X = Array.from({ length: N * 3 }, (_, i) => (i % 5) * 0.25 - 0.5);
export const Y = [0, 1, 2, 0, 1, 2, 0];
export const TRAIN = [1, 1, 1, 0, 0, 0, 0];
export const VAL = [0, 0, 0, 1, 1, 0, 0];
export const TEST = [0, 0, 0, 0, 0, 1, 1];
/** EDGES as a flat [sources..., targets...] edge index. */
export const EI = [...EDGES.map((e) => e[0]), ...EDGES.map((e) => e[1])];
