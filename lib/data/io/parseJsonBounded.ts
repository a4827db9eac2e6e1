import { DatasetError } from '../datasetError.js';
import { MAX_JSON_BYTES, MAX_JSON_DEPTH } from './limits.js';

/**
 * `JSON.parse` with a size and a nesting-depth limit, checked by one scan of the text before
 * parsing: a hostile meta.json (megabytes of `[[[[...`) gets a clean error, not a stack
 * overflow inside the parser or in code that walks the result.
 *
 * @param label how errors name the file (`cora/meta.json`)
 * @throws DatasetError `ELIMIT` (too large, too deep) or `EMETA` (not JSON).
 * @example
 * const meta = parseJsonBounded(text, 'cora/meta.json', file);
 */
export function parseJsonBounded(text: string, label: string, path?: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (text.length > MAX_JSON_BYTES) {
    throw new DatasetError('ELIMIT', `loadDataset: ${label} is ${text.length} characters, over the limit of ${MAX_JSON_BYTES} for a JSON file`, { path });
  }
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) {
        throw new DatasetError('ELIMIT', `loadDataset: ${label} nests objects and arrays more than ${maxDepth} deep (at character ${i})`, { path });
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DatasetError('EMETA', `loadDataset: ${label} is not valid JSON: ${(err as Error).message}`, { path, cause: err });
  }
}
