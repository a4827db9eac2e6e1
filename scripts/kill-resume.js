#!/usr/bin/env node
// Crash-safety of checkpoints, end to end, over the built package:
//   node scripts/kill-resume.js [--trials 20] [--epochs 30] [--seed 1]
// A reference child trains Cora uninterrupted. Then, per trial, a child trains with a
// checkpoint every epoch into a fresh folder and is killed with SIGKILL at a random moment
// while it writes a checkpoint (it reports each write's start on stderr; the kill follows
// after a random 0-15 ms); a second child resumes from the folder and finishes. Every
// trial must end with weights bit-identical to the reference. Prints a summary; exits 1 if
// any trial differs or fails.
// CommonJS (scripts/package.json), loading the ESM build with import().
const { spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { syncBuiltinESMExports } = require('node:module');

const root = join(__dirname, '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

/** The training child: `kill-resume.js --child DIR EPOCHS`. Prints one JSON line at the end. */
async function child(dir, epochs) {
  // Announce every checkpoint write: atomicWriteFile opens a temporary file first. Patched
  // on the CommonJS fs object and synced into the ESM named exports the library imports.
  const open = fs.openSync;
  fs.openSync = (path, ...rest) => {
    if (String(path).endsWith('.tmp')) process.stderr.write('W\n');
    return open(path, ...rest);
  };
  syncBuiltinESMExports();
  const { datasets, GCN, NodeData, fit, setNumThreads } = await import(join(root, 'dist/esm/index.js'));
  setNumThreads(1);
  const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
  const data = NodeData.from(cora);
  const model = new GCN({ inChannels: cora.numFeatures, hiddenChannels: 128, outChannels: cora.numClasses, seed: 3 });
  const r = await fit(model, data, { epochs, patience: 0, lr: 0.01, weightDecay: 5e-4, checkpoint: { dir, every: 1, keep: 2 }, resume: true });
  const hash = createHash('sha256');
  for (const p of model.parameters()) hash.update(p.toArray());
  process.stdout.write(`${JSON.stringify({ weights: hash.digest('hex'), resumedFrom: r.resumedFrom, lastLoss: r.last.trainLoss })}\n`);
}

/** Runs a child; with `killAfterWrites`, SIGKILLs it `delayMs` after that many write announcements. */
function runChild(dir, epochs, kill) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [__filename, '--child', dir, String(epochs)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let writes = 0;
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => {
      const text = String(d);
      err += text.replace(/^W\n/gm, '');
      writes += (text.match(/^W$/gm) ?? []).length;
      if (kill && writes >= kill.afterWrites && !kill.sent) {
        kill.sent = true;
        setTimeout(() => p.kill('SIGKILL'), kill.delayMs);
      }
    });
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, out: out.trim(), err: err.trim(), writes }));
  });
}

async function main() {
  const trials = arg('--trials', 20);
  const epochs = arg('--epochs', 30);
  let state = arg('--seed', 1) >>> 0;
  const rand = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const work = fs.mkdtempSync(join(tmpdir(), 'fathom-kill-'));
  try {
    const ref = await runChild(join(work, 'reference'), epochs);
    if (ref.code !== 0) throw new Error(`reference run failed: ${ref.err}`);
    const reference = JSON.parse(ref.out);
    console.log(`reference: ${epochs} epochs uninterrupted, weights sha256 ${reference.weights.slice(0, 16)}…`);
    let same = 0;
    let midWrite = 0;
    for (let t = 1; t <= trials; t++) {
      const dir = join(work, `trial-${t}`);
      const kill = { afterWrites: 1 + Math.floor(rand() * (epochs - 2)), delayMs: Math.floor(rand() * 16) };
      const killed = await runChild(dir, epochs, kill);
      const leftovers = fs.readdirSync(dir);
      const torn = leftovers.some((f) => f.endsWith('.tmp'));
      if (torn) midWrite++;
      const resumed = await runChild(dir, epochs);
      const result = resumed.code === 0 ? JSON.parse(resumed.out) : null;
      const ok = killed.signal === 'SIGKILL' && result !== null && result.weights === reference.weights;
      if (ok) same++;
      console.log(
        `trial ${String(t).padStart(2)}: killed ${killed.signal ?? `(exited ${killed.code})`} ${kill.delayMs} ms after write ${kill.afterWrites}` +
          `${torn ? ' (mid-write: temporary file left)' : ''}; resumed from epoch ${result?.resumedFrom ?? '?'}; ` +
          `final weights ${ok ? 'identical' : `DIFFER ${resumed.err}`}`,
      );
    }
    console.log(`summary: ${same}/${trials} trials ended with weights identical to the uninterrupted run; ${midWrite} kills landed mid-write`);
    process.exitCode = same === trials ? 0 : 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  child(process.argv[3], Number(process.argv[4])).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
