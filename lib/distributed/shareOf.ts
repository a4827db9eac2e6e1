/**
 * The contiguous part [begin, end) of `count` items that rank `rank` of `size` takes: parts
 * differ by at most one item, the first ranks taking the extra ones, so rank 0 has work whenever
 * there is any.
 *
 * @example
 * shareOf(10, 1, 4); // [3, 6): ranks hold 3, 3, 2, 2 items
 */
export function shareOf(count: number, rank: number, size: number): [number, number] {
  const q = Math.floor(count / size);
  const extra = count % size;
  const begin = rank * q + Math.min(rank, extra);
  return [begin, begin + q + (rank < extra ? 1 : 0)];
}
