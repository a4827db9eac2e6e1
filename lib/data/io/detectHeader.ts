import { TextTable } from './TextTable.js';

/** Column names that mark a first line as a header even when the ids are strings. */
const HEADER_WORDS = /^(src|source|from|u|dst|target|to|v|node|node_?id|id|index|label|labels|class|y|x\d*|feat\w*|weight|mask|split)$/i;

/**
 * Whether a text table starts with a header line: `header` when given, otherwise when the
 * first line has a field that is not a number and the second line is all numbers, or when
 * every field of the first line is a usual column name (`source`, `target`, `id`, `label`, ...).
 *
 * @example
 * detectHeader(buf, 'edges.csv', 'auto'); // true for "src,dst\n0,1\n"
 */
export function detectHeader(buf: Buffer, label: string, header: boolean | 'auto'): boolean {
  if (header !== 'auto') return header;
  const t = new TextTable(buf, label);
  if (!t.next()) return false;
  const first: boolean[] = [];
  const words: string[] = [];
  for (let i = 0; i < t.width; i++) {
    first.push(t.isNumber(i));
    words.push(t.text(i));
  }
  if (first.every(Boolean)) return false;
  if (words.every((w) => HEADER_WORDS.test(w))) return true;
  if (!t.next()) return false;
  for (let i = 0; i < t.width; i++) if (!t.isNumber(i)) return false;
  return true;
}
