// Where the native addon is looked for: a source build before the prebuild, prebuilds by
// platform and architecture, none for musl.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { addonCandidates, currentTarget } from '../../lib/binding/addonCandidates.js';

const ROOT = '/pkg';

describe('addonCandidates', () => {
  it('tries the source build first, then the prebuild for linux-x64 on glibc', () => {
    expect(addonCandidates(ROOT, { platform: 'linux', arch: 'x64', libc: 'glibc' })).toEqual([
      join(ROOT, 'build/Release/fathom.node'),
      join(ROOT, 'build/Debug/fathom.node'),
      join(ROOT, 'prebuilds/linux-x64/fathom.node'),
    ]);
  });

  it('names the prebuild folder by platform and architecture', () => {
    expect(addonCandidates(ROOT, { platform: 'darwin', arch: 'arm64', libc: null }).at(-1)).toBe(join(ROOT, 'prebuilds/darwin-arm64/fathom.node'));
  });

  it('offers no prebuild on musl, whose C library the glibc prebuild cannot use', () => {
    expect(addonCandidates(ROOT, { platform: 'linux', arch: 'x64', libc: 'musl' }).some((p) => p.includes('prebuilds'))).toBe(false);
  });

  it('sees this machine as glibc Linux (the machines the tests run on)', () => {
    expect(currentTarget()).toEqual({ platform: process.platform, arch: process.arch, libc: process.platform === 'linux' ? 'glibc' : null });
  });
});
