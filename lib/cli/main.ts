import { Command } from 'commander';

import { version } from '../runtime/version.js';
import { convertCommand } from './convertCommand.js';
import { diagnoseCommand } from './diagnoseCommand.js';
import { infoCommand } from './infoCommand.js';
import { predictCommand } from './predictCommand.js';
import { reportCommand } from './reportCommand.js';
import { sweepCommand } from './sweepCommand.js';
import { trainCommand } from './trainCommand.js';

/**
 * Runs the `fathom` command line with `argv` (process.argv by default). Errors print one
 * line, not a stack trace, and set a non-zero exit code.
 */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const program = new Command('fathom').description('Deep graph neural networks that train.').version(version());
  program.addCommand(trainCommand());
  program.addCommand(predictCommand());
  program.addCommand(infoCommand());
  program.addCommand(sweepCommand());
  program.addCommand(reportCommand());
  program.addCommand(diagnoseCommand());
  program.addCommand(convertCommand());
  try {
    await program.parseAsync(argv);
  } catch (e) {
    process.stderr.write(`fathom: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
