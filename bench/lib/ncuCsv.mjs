// Per-kernel totals from Nsight Compute's raw CSV page (`ncu --import R --csv --page raw`): one
// row per kernel launch, a header row naming the columns ("Kernel Name", the metric) and a row of
// units under it. Used by bench/gpu/profile-kernels.mjs.

/**
 * Splits CSV text into rows of fields: quoted fields may hold commas and doubled quotes.
 * @param {string} text
 * @returns {string[][]}
 */
export function parseCsv(text) {
  /** @type {string[][]} */
  const rows = [];
  /** @type {string[]} */
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
      field = '';
    } else {
      field += ch;
    }
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/**
 * A kernel's short name: the demangled name without namespaces, the anonymous namespace or the
 * parameter list, its template arguments kept (they tell the variants apart).
 * @param {string} name
 */
export function shortKernelName(name) {
  let s = name.replace(/\(anonymous namespace\)::/g, '');
  // Drop the parameter list: the last top-level "(...)".
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '<') depth++;
    else if (ch === '>') depth--;
    else if (ch === '(' && depth === 0) {
      s = s.slice(0, i);
      break;
    }
  }
  // Namespaces: everything up to the last "::" outside template arguments.
  depth = 0;
  let cut = 0;
  for (let i = 0; i < s.length - 1; i++) {
    const ch = s[i];
    if (ch === '<') depth++;
    else if (ch === '>') depth--;
    else if (depth === 0 && ch === ':' && s[i + 1] === ':') cut = i + 2;
  }
  return s
    .slice(cut)
    .replace(/^void /, '')
    .trim();
}

/**
 * Launch counts and total time per kernel from the raw page's CSV, heaviest first.
 * @param {string} text the CSV
 * @param {string} [metric] the duration column (nanoseconds, or the unit row's usecond / msecond)
 * @returns {{ kernels: { name: string; launches: number; total_ms: number; share: number }[]; total_ms: number; launches: number }}
 */
export function kernelTotals(text, metric = 'gpu__time_duration.sum') {
  const rows = parseCsv(text);
  const h = rows.findIndex((r) => r.includes('Kernel Name') && r.includes(metric));
  if (h < 0) throw new Error(`kernelTotals: no header row with "Kernel Name" and "${metric}"`);
  const nameCol = rows[h].indexOf('Kernel Name');
  const timeCol = rows[h].indexOf(metric);
  /** @type {Record<string, number>} */
  const toMs = { nsecond: 1e-6, ns: 1e-6, usecond: 1e-3, us: 1e-3, msecond: 1, ms: 1, second: 1e3, s: 1e3 };
  let scale = 1e-6; // raw values are nanoseconds unless the unit row says otherwise
  /** @type {Map<string, { launches: number; total_ms: number }>} */
  const by = new Map();
  let total = 0;
  let launches = 0;
  for (const r of rows.slice(h + 1)) {
    const raw = r[timeCol]?.replace(/,/g, '');
    const value = Number(raw);
    if (raw === undefined || raw === '' || !Number.isFinite(value)) {
      const unit = toMs[r[timeCol] ?? ''];
      if (unit !== undefined) scale = unit;
      continue;
    }
    const name = shortKernelName(r[nameCol] ?? '?');
    const ms = value * scale;
    const k = by.get(name) ?? { launches: 0, total_ms: 0 };
    k.launches++;
    k.total_ms += ms;
    by.set(name, k);
    total += ms;
    launches++;
  }
  const kernels = [...by.entries()]
    .map(([name, k]) => ({ name, launches: k.launches, total_ms: k.total_ms, share: total > 0 ? k.total_ms / total : 0 }))
    .sort((a, b) => b.total_ms - a.total_ms);
  return { kernels, total_ms: total, launches };
}
