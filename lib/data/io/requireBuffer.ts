/**
 * The file readers are public: a missing or wrong buffer gets a TypeError naming the function
 * before any byte is read.
 *
 * @example
 * requireBuffer('parseNpy', buf);
 */
export function requireBuffer(op: string, buf: unknown): asserts buf is Buffer {
  if (!Buffer.isBuffer(buf)) {
    const got = buf === null ? 'null' : ArrayBuffer.isView(buf) ? buf.constructor.name : typeof buf;
    throw new TypeError(`${op}: argument buf must be a Buffer (the file's bytes), got ${got}`);
  }
}
