import type { Module } from '../nn/Module.js';

type Setting = number | string | boolean | null | undefined;

const isSetting = (v: unknown): v is Setting => v === null || v === undefined || ['number', 'string', 'boolean'].includes(typeof v);

/** Distinct settings remembered: train and eval modes, and a few values a callback sets. */
const MAX_STATES = 16;

/**
 * Names a model's current settings — every field of every module that holds a number, string,
 * boolean or null (`dropout`, `training`, …) — by a small id: equal settings, equal id. A
 * compiled step keys its plans by it, so a setting changed between steps (a callback lowering
 * `dropout`, say: a constant baked into the plan) traces anew, and settings seen before find
 * their plan again. Cheap enough to ask before every step: the fields are listed once, and each
 * call reads them in place and compares them with the states seen so far (no strings; about
 * 0.1 µs per module). Fields added to a module after construction are not watched.
 *
 * @example
 * const watch = new SettingsWatch(model);
 * watch.key(); // 0
 * model.eval();
 * watch.key(); // 1
 * model.train();
 * watch.key(); // 0
 */
export class SettingsWatch {
  readonly #fields: { module: Record<string, unknown>; key: string }[] = [];
  // Settings seen, most recent first, each with its id.
  #states: { values: Setting[]; id: number }[] = [];
  #nextId = 0;

  constructor(model: Module) {
    for (const module of model.modules()) {
      for (const [key, v] of Object.entries(module)) if (isSetting(v)) this.#fields.push({ module: module as unknown as Record<string, unknown>, key });
    }
  }

  /** The id of the model's current settings. */
  key(): number {
    if (this.#states.length > 0 && this.#same(this.#states[0]!.values)) return this.#states[0]!.id;
    const now = this.#fields.map(({ module, key }) => module[key] as Setting);
    const at = this.#states.findIndex((s) => s.values.every((v, i) => Object.is(v, now[i])));
    if (at === 0) return this.#states[0]!.id;
    const state = at > 0 ? this.#states.splice(at, 1)[0]! : { values: now, id: this.#nextId++ };
    this.#states.unshift(state);
    this.#states.length = Math.min(this.#states.length, MAX_STATES);
    return state.id;
  }

  // Whether the fields hold `values` now (the common case: nothing changed since the last step).
  #same(values: Setting[]): boolean {
    const fields = this.#fields;
    for (let i = 0; i < fields.length; i++) if (!Object.is(fields[i]!.module[fields[i]!.key], values[i])) return false;
    return true;
  }
}
