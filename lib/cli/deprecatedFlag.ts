import { version } from '../runtime/version.js';

/** The version that drops a flag deprecated now: the next minor one (0.1.x → 0.2). */
export function removalVersion(current = version()): string {
  const [major, minor] = current.split('.').map(Number);
  return Number.isInteger(major) && Number.isInteger(minor) ? `${major}.${minor + 1}` : 'the next minor version';
}

/**
 * Writes the one-line notice of a deprecated flag spelling to stderr (never stdout, which may
 * carry JSON): what it was, what to write instead, and when the old spelling goes.
 *
 * @example
 * deprecatedFlag('diagnose', '--out FILE', '--json FILE');
 */
export function deprecatedFlag(command: string, old: string, replacement: string): void {
  process.stderr.write(`fathom ${command}: ${old} is deprecated and will be removed in ${removalVersion()}: use ${replacement}\n`);
}
