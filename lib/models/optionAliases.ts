// Deprecated option names: the vocabulary of every model is PyG's (inChannels, hiddenChannels,
// outChannels, numLayers, dropout); older names some models used are accepted until the next
// minor version, with one DeprecationWarning per name, and read from older checkpoints silently.

/** Old name → new name of each model whose options were renamed. */
export const RES_GCN_RENAMES = { hidden: 'hiddenChannels', depth: 'numLayers' } as const;
export const DEPTH_RENAMES = { depth: 'numLayers' } as const;

const warned = new Set<string>();

/**
 * A copy of `options` with each deprecated name moved to its new one. Giving both names of one
 * option is a RangeError; the first use of each old name emits a DeprecationWarning naming the
 * new one (none with `warn` false: a checkpoint written before the rename is not the caller's
 * doing). Anything that is not a plain object is returned as is, for the constructor to refuse.
 *
 * @example
 * const o = renameOptions('ResGCN', { inChannels: 4, outChannels: 2, depth: 8 }, RES_GCN_RENAMES); // o.numLayers === 8
 */
export function renameOptions<T>(model: string, options: T, renames: Readonly<Record<string, string>>, warn = true): T {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return options;
  const out: Record<string, unknown> = { ...(options as Record<string, unknown>) };
  for (const [old, name] of Object.entries(renames)) {
    if (!Object.hasOwn(out, old)) continue;
    const value = out[old];
    delete out[old];
    if (value === undefined) continue;
    if (out[name] !== undefined) {
      throw new RangeError(`${model}: options.${old} and options.${name} are one option ('${old}' is its deprecated name); pass only ${name}`);
    }
    out[name] = value;
    const key = `${model}.${old}`;
    if (warn && !warned.has(key)) {
      warned.add(key);
      process.emitWarning(`${model}: option '${old}' is deprecated, use '${name}' (the old name goes in the next minor version)`, {
        type: 'DeprecationWarning',
        code: 'FATHOM_DEP_OPTION',
      });
    }
  }
  return out as T;
}
