import { type Command, InvalidArgumentError, Option } from 'commander';

import type { LrSchedule } from '../optim/lrSchedules.js';
import { integer, real } from './parseOptions.js';

/** The learning-rate schedule flags as commander parses them. */
export interface ScheduleFlags {
  lrSchedule?: 'step' | 'cosine' | 'plateau';
  lrStepSize?: number;
  lrGamma?: number;
  lrMin?: number;
  lrPatience?: number;
  lrMonitor?: 'val-loss' | 'val-acc';
}

/** The command-line keys these flags land in (not part of a model's spec). */
export const SCHEDULE_KEYS = ['lrSchedule', 'lrStepSize', 'lrGamma', 'lrMin', 'lrPatience', 'lrMonitor'] as const;

/**
 * Adds `--lr-schedule step|cosine|plateau` and its parameters to a command (`fathom train`).
 *
 * @example
 * addScheduleOptions(new Command('train'));
 * // fathom train --dataset cora --lr-schedule step --lr-step-size 50 --lr-gamma 0.5
 */
export function addScheduleOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--lr-schedule <name>', 'learning-rate schedule, stepped after every epoch (PyTorch formulas)').choices(['step', 'cosine', 'plateau']),
    )
    .option('--lr-step-size <n>', 'step: epochs between decays', integer(1))
    .option('--lr-gamma <x>', 'step: decay factor (default 0.1); plateau: reduction factor (default 0.1)', real(0, 1, true))
    .option('--lr-min <x>', 'cosine: the lowest rate, etaMin; plateau: the floor, minLr (default 0)', real(0, 10))
    .option('--lr-patience <n>', 'plateau: epochs without improvement before a reduction (default 10)', integer(0))
    .addOption(new Option('--lr-monitor <what>', 'plateau: the value watched (default val-loss)').choices(['val-loss', 'val-acc']));
}

/** fit()'s `lrSchedule` from the flags; undefined without --lr-schedule. Flags of another schedule are refused. */
export function scheduleFromFlags(o: ScheduleFlags): LrSchedule | undefined {
  const given = (k: keyof ScheduleFlags) => o[k] !== undefined;
  const refuse = (flags: (keyof ScheduleFlags)[], what: string) => {
    const bad = flags.find(given);
    if (bad) throw new InvalidArgumentError(`--${bad.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)} ${what}`);
  };
  switch (o.lrSchedule) {
    case undefined:
      refuse(['lrStepSize', 'lrGamma', 'lrMin', 'lrPatience', 'lrMonitor'], 'needs --lr-schedule');
      return undefined;
    case 'step':
      refuse(['lrMin', 'lrPatience', 'lrMonitor'], 'does not apply to --lr-schedule step');
      if (!given('lrStepSize')) throw new InvalidArgumentError('--lr-schedule step needs --lr-step-size');
      if (o.lrGamma === 0) throw new InvalidArgumentError('--lr-gamma must be above 0');
      return { type: 'step', stepSize: o.lrStepSize!, gamma: o.lrGamma };
    case 'cosine':
      refuse(['lrStepSize', 'lrGamma', 'lrPatience', 'lrMonitor'], 'does not apply to --lr-schedule cosine');
      return { type: 'cosine', etaMin: o.lrMin };
    case 'plateau':
      refuse(['lrStepSize'], 'does not apply to --lr-schedule plateau');
      if (o.lrGamma === 0) throw new InvalidArgumentError('--lr-gamma must be above 0');
      return { type: 'plateau', factor: o.lrGamma, patience: o.lrPatience, minLr: o.lrMin, monitor: o.lrMonitor === 'val-acc' ? 'valAcc' : 'valLoss' };
  }
}
