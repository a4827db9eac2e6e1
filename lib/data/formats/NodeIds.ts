import type { TextTable } from '../io/TextTable.js';

/**
 * How node ids in text files map to node indices: integers with a base (0 or 1), or
 * arbitrary strings numbered in order of first appearance.
 *
 * @example
 * const ids = NodeIds.strings();
 * ids.indexOf('alice', true); // 0
 */
export class NodeIds {
  private constructor(
    readonly kind: 'integer' | 'string',
    readonly base: number,
    readonly index: Map<string, number> | null,
    readonly names: string[] | null,
  ) {}

  static integers(base: number): NodeIds {
    return new NodeIds('integer', base, null, null);
  }

  static strings(): NodeIds {
    return new NodeIds('string', 0, new Map(), []);
  }

  /** Nodes named so far (string ids). */
  get count(): number {
    return this.names?.length ?? 0;
  }

  /** Index of a string id; a new id gets the next index when `add`, else -1. */
  indexOf(id: string, add: boolean): number {
    const known = this.index!.get(id);
    if (known !== undefined) return known;
    if (!add) return -1;
    const i = this.names!.length;
    this.index!.set(id, i);
    this.names!.push(id);
    return i;
  }

  /**
   * Node index of field `col` of the table's current row, or an error naming the line:
   * integer ids must be whole numbers ≥ base; string ids are added when `add`.
   */
  read(t: TextTable, col: number, add: boolean): number {
    if (this.kind === 'string') {
      const i = this.indexOf(t.text(col), add);
      if (i < 0) throw t.error(`node '${t.text(col)}' does not appear in the edge list`);
      return i;
    }
    const v = t.int(col);
    if (Number.isNaN(v)) throw t.error(`expected an integer node id in column ${col + 1}, got '${t.text(col)}'`);
    if (v < this.base || v - this.base > 0x7ffffffe) {
      throw t.error(`node id ${v} is outside [${this.base}, ${0x7ffffffe + this.base}] (ids are ${this.base}-based)`);
    }
    return v - this.base;
  }
}
