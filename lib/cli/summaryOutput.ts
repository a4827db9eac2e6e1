import { writeFileSync } from 'node:fs';

import { FathomError } from '../errors/FathomError.js';

/**
 * How every command prints its human text and writes its machine-readable summary, the one
 * meaning of `--json <file|->`: with `-` the JSON (one line) owns stdout and the text goes to
 * stderr; with a file the text goes to stdout and the JSON to the file; without, text only.
 *
 * @example
 * emitSummary({ text: table(rows), summary, json: o.json, command: 'train' });
 */
export function emitSummary(o: { text: string; summary: unknown; json?: string; command: string; flag?: string }): void {
  const line = `${JSON.stringify(o.summary)}\n`;
  const text = o.text === '' || o.text.endsWith('\n') ? o.text : `${o.text}\n`;
  if (o.json === '-') {
    process.stderr.write(text);
    process.stdout.write(line);
    return;
  }
  process.stdout.write(text);
  if (o.json === undefined) return;
  try {
    writeFileSync(o.json, line);
  } catch (e) {
    // Checked before the run (checkOutputFile); this is the folder vanishing meanwhile.
    throw new FathomError(`${o.command} ${o.flag ?? '--json'} ${o.json}: cannot write: ${e instanceof Error ? e.message : String(e)}`, 'IO');
  }
}

/** `--json` as a flag with an optional value: given bare (`true`), it means stdout. */
export function jsonTarget(value: string | boolean | undefined): string | undefined {
  if (value === undefined || value === false) return undefined;
  return value === true ? '-' : value;
}
