#!/usr/bin/env node
// Checks that every native source (native/**/*.{h,cc,cu,cuh,inc}) is formatted as the repository's
// .clang-format says: `clang-format --dry-run --Werror`. The .inc files are C++ too (the kernel
// declaration lists and X-macro instance lists), so they are held to the same format.
//
//   node scripts/check-native-format.js            list the files that need formatting; exit 1 if any
//   node scripts/check-native-format.js --verbose  also print clang-format's diagnostics
//   node scripts/check-native-format.js --write    reformat them in place (clang-format -i)
//
// CLANG_FORMAT names the binary (default `clang-format`; Debian: apt-get install clang-format).
// Formatting differs between clang-format releases: CI uses Debian's.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const EXTENSIONS = new Set(['.h', '.cc', '.cu', '.cuh', '.inc']);
const args = new Set(process.argv.slice(2));
for (const a of args) {
  if (!['--write', '--verbose'].includes(a)) {
    console.error(`check-native-format: unknown argument ${a} (expected --write or --verbose)`);
    process.exit(2);
  }
}
const binary = process.env.CLANG_FORMAT || 'clang-format';

function sources(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(full));
    else if (entry.isFile() && EXTENSIONS.has(path.extname(entry.name))) out.push(path.relative(root, full));
  }
  return out;
}

if (!fs.existsSync(path.join(root, '.clang-format'))) {
  console.error('check-native-format: no .clang-format at the repository root');
  process.exit(2);
}
const version = spawnSync(binary, ['--version'], { encoding: 'utf8' });
if (version.error || version.status !== 0) {
  console.error(`check-native-format: ${binary} not found (Debian: apt-get install clang-format; or set CLANG_FORMAT)`);
  process.exit(2);
}
const files = sources(path.join(root, 'native')).sort();
if (files.length === 0) {
  console.error('check-native-format: no native sources found');
  process.exit(2);
}

const flags = args.has('--write') ? ['-i', '--style=file'] : ['--dry-run', '--Werror', '--style=file'];
const r = spawnSync(binary, [...flags, ...files], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
if (r.error) throw r.error;
if (args.has('--write')) {
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    process.exit(r.status ?? 1);
  }
  console.log(`check-native-format: formatted ${files.length} files with ${version.stdout.trim()}`);
  process.exit(0);
}

// Diagnostics look like `native/x.cc:12:3: error: code should be clang-formatted [-Wclang-format-violations]`.
const violations = new Map();
for (const line of r.stderr.split('\n')) {
  const m = /^(.+?):\d+:\d+: (?:warning|error): /.exec(line);
  if (m) violations.set(m[1], (violations.get(m[1]) ?? 0) + 1);
}
if (r.status !== 0 && violations.size === 0) {
  // clang-format failed for another reason (an unreadable file, a bad .clang-format): show it.
  process.stderr.write(r.stderr);
  process.exit(r.status ?? 1);
}
if (violations.size === 0) {
  console.log(`check-native-format: ${files.length} native files formatted (${version.stdout.trim()})`);
  process.exit(0);
}
if (args.has('--verbose')) process.stderr.write(r.stderr);
console.error(`check-native-format: ${violations.size} of ${files.length} native files need clang-format (${version.stdout.trim()}):`);
for (const [file, n] of [...violations].sort((a, b) => a[0].localeCompare(b[0]))) console.error(`  ${file} (${n} ${n === 1 ? 'place' : 'places'})`);
console.error('Fix with `npm run format:native`; see the changes with `node scripts/check-native-format.js --verbose`.');
process.exit(1);
