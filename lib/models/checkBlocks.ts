import { FathomError } from '../errors/FathomError.js';
import { Block } from '../graph/Block.js';

/**
 * forwardBlocks()' check of a sampled batch's blocks: one Block per layer, each block's
 * sources the previous block's targets.
 */
export function checkBlocks(op: string, numLayers: number, blocks: unknown): readonly Block[] {
  if (!Array.isArray(blocks) || blocks.length !== numLayers || !blocks.every((b) => b instanceof Block)) {
    const got = Array.isArray(blocks) ? `an array of ${blocks.length}` : typeof blocks;
    throw new RangeError(`${op}: blocks must be ${numLayers} Blocks, one per layer (one fanout per layer), got ${got}`);
  }
  const checked = blocks as readonly Block[];
  for (let l = 1; l < numLayers; l++) {
    if (checked[l].numSources !== checked[l - 1].numTargets) {
      throw new FathomError(`${op}: blocks[${l}] has ${checked[l].numSources} sources but blocks[${l - 1}] ${checked[l - 1].numTargets} targets`, 'SHAPE');
    }
  }
  return checked;
}

/** The registry's models that train on sampled blocks (override forwardBlocks), as error messages list them. */
export const BLOCK_MODELS: readonly string[] = ['sage', 'gcn', 'gat', 'gatv2'];
