import cliProgress from 'cli-progress';

/**
 * A progress bar on stderr: redrawn in place on a terminal, one line every `every` steps
 * otherwise (logs, CI), so output never floods.
 */
export class Progress {
  #bar: cliProgress.SingleBar | null = null;
  #total: number;
  #lastLine = 0;

  constructor(
    total: number,
    readonly label: string,
    private readonly every = 25,
  ) {
    this.#total = total;
    if (process.stderr.isTTY) {
      this.#bar = new cliProgress.SingleBar(
        {
          format: `${label} [{bar}] {value}/{total} | {status}`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: false,
          barsize: 30,
        },
        cliProgress.Presets.shades_classic,
      );
      this.#bar.start(total, 0, { status: '' });
    }
  }

  update(value: number, status: string): void {
    if (this.#bar) {
      this.#bar.update(value, { status });
    } else if (value - this.#lastLine >= this.every || value === this.#total) {
      this.#lastLine = value;
      process.stderr.write(`${this.label} ${value}/${this.#total} | ${status}\n`);
    }
  }

  stop(): void {
    this.#bar?.stop();
  }
}
