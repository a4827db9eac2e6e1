/**
 * Renders rows as an aligned text table: two columns (label, value) or any number of them.
 * With `header`, the first row is set off by a rule; numeric-looking cells align right.
 *
 * @example
 * table([['test accuracy', '81.5%']]);
 * table([['layer', 'scale'], ['0', '1.02'], ['1', '0.98']], { header: true });
 */
export function table(rows: readonly (readonly string[])[], options: { header?: boolean } = {}): string {
  const cols = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: cols }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const numeric = /^[-+]?(\d|\.\d|inf|nan)/i;
  const render = (r: readonly string[], isHeader: boolean) =>
    `| ${widths
      .map((w, c) => {
        const cell = r[c] ?? '';
        return !isHeader && options.header && numeric.test(cell) ? cell.padStart(w) : cell.padEnd(w);
      })
      .join(' | ')} |`;
  const body = rows.map((r, i) => render(r, i === 0 && options.header === true));
  if (options.header && body.length > 0) body.splice(1, 0, line);
  return [line, ...body, line].join('\n');
}
