#!/usr/bin/env node
// Crash-safety of checkpoints, end to end, over the built package:
//   node scripts/kill-resume.js [--trials 20] [--window-trials 20] [--epochs 30] [--seed 1]
// A reference child trains Cora uninterrupted (checkpoint and best.safetensors every epoch).
// Then, per random trial, a child trains into a fresh folder and is killed with SIGKILL at a
// random moment while it writes a checkpoint (it reports each write's start on stderr; the
// kill follows after a random 0-15 ms). Per window trial, the child stops right after
// best.safetensors of its k-th new best epoch is in place and before that epoch's checkpoint
// is written (it says so on stderr and waits), and is killed there: the window where a kill
// once left best.safetensors behind the best epoch the summary reported. Either way a second
// child resumes from the folder and finishes. Every trial must end with weights bit-identical
// to the reference, and best.safetensors must hold the reference's best weights, of the best
// epoch the resumed run reports. Prints a summary; exits 1 if any trial differs or fails.
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

/** sha256 of the model weights a checkpoint file holds, and its epoch. */
function fileWeights(readSafetensors, path) {
  const f = readSafetensors(path);
  const hash = createHash('sha256');
  for (const [k, t] of f.tensors) if (k.startsWith('model/')) hash.update(t.data);
  return { hash: hash.digest('hex'), epoch: Number(f.metadata.epoch) };
}

/**
 * The training child: `kill-resume.js --child DIR EPOCHS [STOP_AT_BEST_WRITE]`. Prints one JSON
 * line at the end. With STOP_AT_BEST_WRITE = k, announces `B <epoch>` after its k-th
 * best.safetensors write and waits there to be killed.
 */
async function child(dir, epochs, stopAtBestWrite) {
  // Announce every checkpoint write: atomicWriteFile opens a temporary file first. Patched
  // on the CommonJS fs object and synced into the ESM named exports the library imports.
  const open = fs.openSync;
  fs.openSync = (path, ...rest) => {
    if (String(path).endsWith('.tmp')) process.stderr.write('W\n');
    return open(path, ...rest);
  };
  syncBuiltinESMExports();
  const { datasets, GCN, NodeData, fit, readSafetensors, setNumThreads } = await import(join(root, 'dist/esm/index.js'));
  setNumThreads(1);
  const cora = datasets.loadDataset('cora', { normalizeFeatures: true });
  const data = NodeData.from(cora);
  const model = new GCN({ inChannels: cora.numFeatures, hiddenChannels: 128, outChannels: cora.numClasses, seed: 3 });
  let bestWrites = 0;
  const onWrite = (w) => {
    if (w.kind !== 'best') return;
    bestWrites++;
    if (bestWrites !== stopAtBestWrite) return;
    process.stderr.write(`B ${w.epoch}\n`);
    // Wait in the window, between best.safetensors and the epoch's checkpoint, for the kill.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
  };
  const checkpoint = { dir, every: 1, keep: 2, best: true, onWrite, onWarning: (m) => process.stderr.write(`warning: ${m}\n`) };
  const r = await fit(model, data, { epochs, patience: 0, lr: 0.01, weightDecay: 5e-4, checkpoint, resume: true });
  const hash = createHash('sha256');
  for (const p of model.parameters()) hash.update(p.toArray());
  const best = fileWeights(readSafetensors, join(dir, 'best.safetensors'));
  const out = { weights: hash.digest('hex'), resumedFrom: r.resumedFrom, lastLoss: r.last.trainLoss, bestEpoch: r.bestEpoch, best, bestWrites };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/**
 * Runs a child. With `kill.afterWrites`, SIGKILLs it `kill.delayMs` after that many write
 * announcements; with `kill.atBestWrite`, as soon as it announces waiting after that best write.
 */
function runChild(dir, epochs, kill) {
  return new Promise((resolve, reject) => {
    const args = [__filename, '--child', dir, String(epochs), String(kill?.atBestWrite ?? 0)];
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let writes = 0;
    let window = null;
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => {
      const text = String(d);
      err += text.replace(/^[WB].*\n/gm, '');
      writes += (text.match(/^W$/gm) ?? []).length;
      const b = /^B (\d+)$/m.exec(text);
      if (b && kill?.atBestWrite && !kill.sent) {
        kill.sent = true;
        window = Number(b[1]);
        p.kill('SIGKILL');
      }
      if (kill?.afterWrites && writes >= kill.afterWrites && !kill.sent) {
        kill.sent = true;
        setTimeout(() => p.kill('SIGKILL'), kill.delayMs);
      }
    });
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, out: out.trim(), err: err.trim(), writes, window }));
  });
}

/** The newest epoch checkpoint in `dir`, 0 when none. */
function newestEpoch(dir) {
  const epochs = fs.readdirSync(dir).flatMap((f) => (/^epoch-(\d+)\.safetensors$/.test(f) ? [Number(f.slice(6, -12))] : []));
  return epochs.length ? Math.max(...epochs) : 0;
}

async function main() {
  const trials = arg('--trials', 20);
  const windowTrials = arg('--window-trials', 20);
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
    console.log(
      `reference: ${epochs} epochs uninterrupted, weights sha256 ${reference.weights.slice(0, 16)}…; ` +
        `best epoch ${reference.bestEpoch} (${reference.bestWrites} new bests), best.safetensors sha256 ${reference.best.hash.slice(0, 16)}…`,
    );
    /** Whether a resumed run ended as the reference did: final weights, best epoch and best.safetensors. */
    const check = (result) => {
      if (result === null) return 'resume FAILED';
      const problems = [];
      if (result.weights !== reference.weights) problems.push('final weights DIFFER');
      if (result.bestEpoch !== reference.bestEpoch) problems.push(`best epoch ${result.bestEpoch} DIFFERS`);
      if (result.best.epoch !== result.bestEpoch) problems.push(`best.safetensors holds epoch ${result.best.epoch}, the summary says ${result.bestEpoch}`);
      if (result.best.hash !== reference.best.hash) problems.push('best.safetensors weights DIFFER');
      return problems.length ? problems.join('; ') : null;
    };
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
      const problem = killed.signal === 'SIGKILL' ? check(result) : 'not killed';
      if (!problem) same++;
      console.log(
        `trial ${String(t).padStart(2)}: killed ${killed.signal ?? `(exited ${killed.code})`} ${kill.delayMs} ms after write ${kill.afterWrites}` +
          `${torn ? ' (mid-write: temporary file left)' : ''}; resumed from epoch ${result?.resumedFrom ?? '?'}; ` +
          `${problem ? `${problem} ${resumed.err}` : 'final weights and best.safetensors identical'}`,
      );
    }
    let windowSame = 0;
    let windowHits = 0;
    for (let t = 1; t <= windowTrials; t++) {
      const dir = join(work, `window-${t}`);
      // The first aims at the last new best, the epoch the summary reports; the rest at random ones.
      const kill = { atBestWrite: t === 1 ? reference.bestWrites : 1 + Math.floor(rand() * reference.bestWrites) };
      const killed = await runChild(dir, epochs, kill);
      // In the window: best.safetensors is the announced epoch, the newest checkpoint the one before.
      const inWindow = killed.signal === 'SIGKILL' && killed.window !== null && newestEpoch(dir) === killed.window - 1;
      if (inWindow) windowHits++;
      const resumed = await runChild(dir, epochs);
      const result = resumed.code === 0 ? JSON.parse(resumed.out) : null;
      const problem = inWindow ? check(result) : 'kill missed the window';
      if (!problem) windowSame++;
      console.log(
        `window ${String(t).padStart(2)}: killed ${killed.signal ?? `(exited ${killed.code})`} after best.safetensors of epoch ${killed.window ?? '?'} ` +
          `(new best ${kill.atBestWrite}), before its checkpoint; resumed from epoch ${result?.resumedFrom ?? '?'}; ` +
          `${problem ? `${problem} ${resumed.err}` : `best epoch ${result.bestEpoch} in best.safetensors, final weights identical`}`,
      );
    }
    console.log(
      `summary: ${same}/${trials} random kills ended with final weights and best.safetensors identical to the uninterrupted run; ${midWrite} landed mid-write`,
    );
    console.log(
      `summary: ${windowSame}/${windowTrials} kills between best.safetensors and the epoch checkpoint (${windowHits} landed there) ended with ` +
        'best.safetensors holding the reported best epoch and final weights identical',
    );
    process.exitCode = same === trials && windowSame === windowTrials ? 0 : 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  child(process.argv[3], Number(process.argv[4]), Number(process.argv[5] ?? 0)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
