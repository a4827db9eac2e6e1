import { DatasetError } from '../datasetError.js';

/** Field separator of a delimited text file; `'whitespace'` is any run of spaces and tabs. */
export type Delimiter = ',' | '\t' | ';' | 'whitespace';

const NL = 0x0a;
/** 10^0 .. 10^22, every one an exact double. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * A delimited text file (CSV, TSV, whitespace-separated) read straight from its bytes: files
 * such as OGB's node features are larger than the longest string V8 can hold, so lines are
 * never turned into strings unless a field is asked for as one. Blank lines and lines that
 * start with `#` or `%` (SNAP and Matrix Market comments) are skipped; line numbers count
 * every line, as an editor does.
 *
 * @example
 * const t = new TextTable(buf, 'edges.csv');
 * while (t.next()) console.log(t.line, t.width, t.int(0), t.text(1));
 */
export class TextTable {
  readonly delimiter: Delimiter;
  /** 1-based line number of the current row. */
  line = 0;
  /** Number of fields in the current row. */
  width = 0;
  #pos = 0;
  #starts: Int32Array<ArrayBuffer> = new Int32Array(64);
  #ends: Int32Array<ArrayBuffer> = new Int32Array(64);

  constructor(
    readonly buf: Buffer,
    readonly label: string,
    delimiter?: Delimiter,
  ) {
    if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) this.#pos = 3;
    this.delimiter = delimiter ?? detectDelimiter(buf, this.#pos);
  }

  /** Rows left to read are estimated from the byte position, for progress lines. */
  get progress(): number {
    return this.buf.length === 0 ? 1 : this.#pos / this.buf.length;
  }

  /** Moves to the next data row; false at the end of the file. */
  next(): boolean {
    const b = this.buf;
    while (this.#pos < b.length) {
      const start = this.#pos;
      let end = b.indexOf(NL, start);
      if (end < 0) end = b.length;
      this.#pos = end + 1;
      this.line++;
      let stop = end;
      if (stop > start && b[stop - 1] === CR) stop--;
      let first = start;
      while (first < stop && (b[first] === SPACE || b[first] === TAB)) first++;
      if (first === stop || b[first] === 0x23 || b[first] === 0x25) continue;
      this.#split(first, stop);
      return true;
    }
    return false;
  }

  #split(start: number, stop: number): void {
    const b = this.buf;
    let n = 0;
    const push = (s: number, e: number): void => {
      if (n === this.#starts.length) {
        const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
          const g = new Int32Array(a.length * 2);
          g.set(a);
          return g;
        };
        this.#starts = grow(this.#starts);
        this.#ends = grow(this.#ends);
      }
      // Fields are trimmed of surrounding blanks and of one pair of double quotes.
      while (s < e && (b[s] === SPACE || b[s] === TAB)) s++;
      while (e > s && (b[e - 1] === SPACE || b[e - 1] === TAB)) e--;
      if (e - s >= 2 && b[s] === 0x22 && b[e - 1] === 0x22) {
        s++;
        e--;
      }
      this.#starts[n] = s;
      this.#ends[n] = e;
      n++;
    };
    if (this.delimiter === 'whitespace') {
      let i = start;
      while (i < stop) {
        while (i < stop && (b[i] === SPACE || b[i] === TAB)) i++;
        if (i === stop) break;
        const s = i;
        while (i < stop && b[i] !== SPACE && b[i] !== TAB) i++;
        push(s, i);
      }
    } else {
      const d = this.delimiter.charCodeAt(0);
      let s = start;
      for (let i = start; i < stop; i++) {
        if (b[i] === d) {
          push(s, i);
          s = i + 1;
        }
      }
      push(s, stop);
    }
    this.width = n;
  }

  /** The field as a string. */
  text(i: number): string {
    return this.buf.toString('utf8', this.#starts[i], this.#ends[i]);
  }

  /** The field as an integer, or NaN when it is not one (no string is made for plain digits). */
  int(i: number): number {
    const b = this.buf;
    let s = this.#starts[i]!;
    const e = this.#ends[i]!;
    let neg = false;
    if (s < e && (b[s] === 0x2d || b[s] === 0x2b)) neg = b[s++] === 0x2d;
    if (s === e || e - s > 15) return this.#slowInt(i);
    let v = 0;
    for (let k = s; k < e; k++) {
      const c = b[k]! - 0x30;
      if (c < 0 || c > 9) return this.#slowInt(i);
      v = v * 10 + c;
    }
    return neg ? -v : v;
  }

  #slowInt(i: number): number {
    const t = this.text(i);
    // `1.0` and `1e3` are integers as numpy.savetxt writes them.
    const v = t.trim() === '' ? Number.NaN : Number(t);
    return Number.isInteger(v) ? v : Number.NaN;
  }

  /** The field as a number (`nan`, `inf` as numpy writes them included), or NaN when it is not one. */
  num(i: number): number {
    const fast = this.#fastDecimal(i);
    if (!Number.isNaN(fast)) return fast;
    const t = this.text(i);
    const low = t.toLowerCase();
    if (low === 'inf' || low === '+inf' || low === 'infinity') return Number.POSITIVE_INFINITY;
    if (low === '-inf' || low === '-infinity') return Number.NEGATIVE_INFINITY;
    return t === '' ? Number.NaN : Number(t);
  }

  /**
   * `[-]digits[.digits][e[-]digits]` with at most 15 significant digits and a power of ten up to
   * 22, straight from the bytes: mantissa and 10^k are then exact doubles and one correctly
   * rounded division or product gives exactly what `Number(text)` gives (the fast path of
   * strtod). Anything else is NaN, and `num` falls back to `Number`.
   */
  #fastDecimal(i: number): number {
    const b = this.buf;
    let k = this.#starts[i]!;
    const e = this.#ends[i]!;
    let neg = false;
    if (k < e && (b[k] === 0x2d || b[k] === 0x2b)) neg = b[k++] === 0x2d;
    let mant = 0;
    let digits = 0;
    let scale = 0;
    let any = false;
    for (; k < e; k++) {
      const c = b[k]! - 0x30;
      if (c < 0 || c > 9) break;
      any = true;
      if (digits > 0 || c > 0) digits++;
      mant = mant * 10 + c;
    }
    if (k < e && b[k] === 0x2e) {
      for (k++; k < e; k++) {
        const c = b[k]! - 0x30;
        if (c < 0 || c > 9) break;
        any = true;
        if (digits > 0 || c > 0) digits++;
        mant = mant * 10 + c;
        scale--;
      }
    }
    if (!any || digits > 15) return Number.NaN;
    if (k < e && (b[k] === 0x65 || b[k] === 0x45)) {
      k++;
      let eneg = false;
      if (k < e && (b[k] === 0x2d || b[k] === 0x2b)) eneg = b[k++] === 0x2d;
      let ex = 0;
      const from = k;
      for (; k < e && b[k]! >= 0x30 && b[k]! <= 0x39 && ex < 1000; k++) ex = ex * 10 + b[k]! - 0x30;
      if (k === from) return Number.NaN;
      scale += eneg ? -ex : ex;
    }
    if (k !== e || scale < -22 || scale > 22) return Number.NaN;
    const v = scale < 0 ? mant / POW10[-scale]! : mant * POW10[scale]!;
    return neg ? -v : v;
  }

  /** Whether field i is a number at all (`nan` counts as one: it is refused later, by row). */
  isNumber(i: number): boolean {
    return !Number.isNaN(this.num(i)) || /^[+-]?nan$/i.test(this.text(i));
  }

  /** An error that names the file and the current line. */
  error(problem: string): DatasetError {
    return new DatasetError('EFORMAT', `loadDataset: ${this.label}:${this.line}: ${problem}`);
  }
}

/** Tab if the first data line has one, else comma, else semicolon, else whitespace. */
function detectDelimiter(buf: Buffer, from: number): Delimiter {
  let pos = from;
  while (pos < buf.length) {
    let end = buf.indexOf(NL, pos);
    if (end < 0) end = buf.length;
    const line = buf.toString('utf8', pos, Math.min(end, pos + 4096)).trim();
    pos = end + 1;
    if (line === '' || line.startsWith('#') || line.startsWith('%')) continue;
    if (line.includes('\t')) return '\t';
    if (line.includes(',')) return ',';
    if (line.includes(';')) return ';';
    return 'whitespace';
  }
  return ',';
}

/** Name of a delimiter for summaries. */
export function delimiterName(d: Delimiter): string {
  return d === ',' ? 'comma' : d === '\t' ? 'tab' : d === ';' ? 'semicolon' : 'whitespace';
}
