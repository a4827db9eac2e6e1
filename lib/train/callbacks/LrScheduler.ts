import { FathomError } from '../../errors/FathomError.js';
import { requireObject } from '../../errors/args.js';
import { cosineLr, type LrSchedule, type PlateauState, plateauStep, stepLr } from '../../optim/lrSchedules.js';
import type { EpochReport } from '../fitTypes.js';
import type { Callback, FitContext } from './Callback.js';

/** What a checkpoint keeps of a schedule, so that a resumed run continues it exactly. */
export interface LrSchedulerState extends PlateauState {
  type: LrSchedule['type'];
  baseLr: number;
}

/**
 * Sets the optimizer's learning rate before every training step from a schedule with
 * PyTorch's formulas (StepLR, CosineAnnealingLR, ReduceLROnPlateau; see lib/optim/lrSchedules.ts),
 * stepped once per epoch as PyTorch's `scheduler.step()` after each epoch: epoch 1 runs at the
 * optimizer's own lr when fit() starts (the base). Its state goes into fit()'s checkpoints and
 * comes back on a resume, so a resumed run ends bit-identical to an uninterrupted one (a
 * hand-made Checkpointing carries it with `stateful: { lrSchedule: scheduler }`). fit()'s
 * `lrSchedule` option makes one; every report's `lr` is the rate its step used.
 *
 * @example
 * await fit(model, data, { epochs: 200, lr: 0.01, lrSchedule: { type: 'cosine', etaMin: 1e-4 } });
 * await fit(model, data, { callbacks: [new LrScheduler({ type: 'step', stepSize: 50, gamma: 0.5 })] });
 */
export class LrScheduler implements Callback {
  readonly schedule: LrSchedule;
  #state: LrSchedulerState | null = null;
  #restored = false;
  #tMax = 0;

  constructor(schedule: LrSchedule) {
    requireObject('LrScheduler', 'schedule', schedule);
    this.schedule = schedule;
  }

  onFitStart(ctx: FitContext): void {
    this.#tMax = this.schedule.type === 'cosine' ? (this.schedule.tMax ?? ctx.epochs) : 0;
    // A state restored earlier in this fit (by a Checkpointing callback ahead of this one) stays;
    // one restored later overwrites this fresh start. The base is the optimizer's lr at the start.
    if (!this.#restored)
      this.#state = { type: this.schedule.type, baseLr: ctx.optimizer.lr, lr: ctx.optimizer.lr, best: null, numBadEpochs: 0, cooldownCounter: 0 };
  }

  onStepStart(ctx: FitContext): void {
    ctx.optimizer.lr = this.lrAt(ctx.epoch - 1);
  }

  onEpochEnd(_ctx: FitContext, report: EpochReport): void {
    const s = this.schedule;
    if (s.type !== 'plateau' || !this.#state) return;
    this.#state = { ...this.#state, ...plateauStep(this.#state, s.monitor === 'valAcc' ? report.valAcc : report.valLoss, s) };
  }

  teardown(): void {
    this.#restored = false;
  }

  /** The learning rate of the step after `t` finished epochs. */
  lrAt(t: number): number {
    const st = this.#state;
    if (!st) throw new FathomError('LrScheduler: used outside fit() (no state yet)', 'RANGE');
    const s = this.schedule;
    if (s.type === 'step') return stepLr(st.baseLr, t, s.stepSize, s.gamma ?? 0.1);
    if (s.type === 'cosine') return cosineLr(st.baseLr, t, this.#tMax, s.etaMin ?? 0);
    return st.lr;
  }

  /** The state a checkpoint stores (a copy). */
  state(): LrSchedulerState | null {
    return this.#state && { ...this.#state };
  }

  /** Restores state() from a checkpoint; the schedule's type must match. */
  loadState(state: unknown, source: string): void {
    const s = state as Partial<LrSchedulerState> | null;
    const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
    const ok =
      s !== null &&
      typeof s === 'object' &&
      num(s.baseLr) &&
      num(s.lr) &&
      (s.best === null || num(s.best)) &&
      Number.isInteger(s.numBadEpochs) &&
      Number.isInteger(s.cooldownCounter);
    if (!ok) throw new FathomError(`${source}: not a usable checkpoint: its learning-rate schedule state is malformed`, 'IO');
    if (s.type !== this.schedule.type) {
      throw new FathomError(`${source}: the checkpoint's learning-rate schedule is '${String(s.type)}' but fit runs '${this.schedule.type}'`, 'IO');
    }
    this.#state = { ...(s as LrSchedulerState) };
    this.#restored = true;
  }
}
