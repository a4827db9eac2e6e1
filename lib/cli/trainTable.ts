import { RANDOM_FEATURE_SEED } from '../data/loadDataset.js';
import type { Provenance } from '../runtime/provenance.js';
import type { TrainSummary } from './runSummary.js';
import { table } from './table.js';
import { batchSettingLabel } from './batchOptions.js';

/** The table row that says where a dataset's features came from. */
export function featureSourceLabel(source: TrainSummary['feature_source']): string {
  return source === 'random' ? `random (seed ${RANDOM_FEATURE_SEED}; no feature file: accuracy reflects the graph alone)` : 'file';
}

/** One line of provenance: version, commit, threads, BLAS (and GPU GEMM). */
export function provenanceLabel(p: Provenance): string {
  const commit = p.git_commit ? ` @ ${p.git_commit.slice(0, 12)}` : '';
  const gpu = p.gpu ? `, ${p.gpu} (${p.cuda_gemm})` : '';
  return `fathom ${p.fathom_version}${commit}, ${p.threads} CPU thread${p.threads === 1 ? '' : 's'}, ${p.blas}${gpu}`;
}

/**
 * The summary table `fathom train` prints. Epochs are told three ways, so that a resumed run
 * is never mistaken for a short one: the total reached, the epochs of this invocation, and the
 * checkpoint epoch it resumed from.
 *
 * @example
 * process.stdout.write(`${trainTable(summary)}\n`);
 */
export function trainTable(s: TrainSummary): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  return table([
    ['dataset', s.dataset],
    ['features', featureSourceLabel(s.feature_source)],
    ['model', `${s.model} × ${s.layers} (hidden ${s.hidden})`],
    ['device', s.device],
    ['batches', batchSettingLabel(s.batches)],
    ['seed', String(s.seed)],
    ['epochs', String(s.epochs_total)],
    ['epochs this run', String(s.epochs_run)],
    ...(s.resumed_from > 0 ? [['resumed from epoch', String(s.resumed_from)] as const] : []),
    ['best epoch', String(s.best_epoch)],
    ['train loss', s.train_loss.toFixed(4)],
    ['train accuracy', pct(s.train_acc)],
    ['train acc. last / max', `${pct(s.final_train_acc)} / ${pct(s.max_train_acc)}${s.fit_all_labels ? ' (all labelled nodes)' : ''}`],
    ['val accuracy', pct(s.val_acc)],
    ['test accuracy', pct(s.test_acc)],
    ...(s.val_auc === null
      ? []
      : ([
          ['val ROC-AUC', s.val_auc.toFixed(4)],
          ['test ROC-AUC', s.test_auc!.toFixed(4)],
        ] as const)),
    ['epoch time (median)', s.epoch_ms_median === null ? '- (no epoch run)' : `${s.epoch_ms_median.toFixed(2)} ms`],
    ['peak RSS', `${s.peak_rss_mb.toFixed(0)} MB`],
    ...(s.peak_device_mb === null ? [] : [['peak device memory', `${s.peak_device_mb.toFixed(0)} MB`] as const]),
    ['build', provenanceLabel(s.provenance)],
  ]);
}

/**
 * The lines `fathom train` writes to stderr before its table: a resumed checkpoint that was
 * already at or past `--epochs` (nothing trained), and random features.
 */
export function trainNotes(s: TrainSummary, o: { epochs: number; checkpointDir?: string }): string[] {
  const notes: string[] = [];
  if (s.epochs_run === 0 && s.resumed_from >= o.epochs) {
    notes.push(
      `fathom train: the checkpoint in ${o.checkpointDir ?? 'the checkpoint folder'} is at epoch ${s.resumed_from}, at or past --epochs ${o.epochs}: ` +
        `nothing to train; the summary is the restored run's (pass --epochs above ${s.resumed_from} to train on)`,
    );
  }
  if (s.feature_source === 'random') {
    notes.push(
      `fathom train: ${s.dataset} ships no features; it trained on seeded random features (seed ${RANDOM_FEATURE_SEED}), ` +
        'so accuracy reflects the graph structure alone and is not comparable with published results',
    );
  }
  return notes;
}
