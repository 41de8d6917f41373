/** A tidy row: one observation, one column per variable. */
export type Row = Readonly<Record<string, string | number | boolean | null | undefined>>;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ESCAPES[c]);
}

/**
 * A number as a short readable string: integers whole, others to 3 significant digits but never fewer than
 * the integer part (1821.4 -> 1,821); thousands separated (16,384).
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const shown = Number.isInteger(value)
    ? value
    : Math.abs(value) >= 1000
      ? Math.round(value)
      : Number(value.toPrecision(3));
  return shown.toLocaleString('en-US', { maximumFractionDigits: 20 });
}

/** What a table shows where a number has no value (NaN): a dash; the table's notes say why (TableOptions.notes). */
export const NO_VALUE = '–';

function formatCell(value: Row[string]): string {
  if (value === null || value === undefined) return '';
  if (Number.isNaN(value)) return NO_VALUE;
  return typeof value === 'number' ? formatNumber(value) : String(value);
}

export interface TableOptions {
  /** Header text per column name (words with units); columns without one show their name. */
  labels?: Readonly<Record<string, string>>;
  /** Folds the table under this one-line summary (an HTML details element): for long tables. */
  collapsed?: string;
  /** Lines shown under the table, such as why a cell shows NO_VALUE. */
  notes?: readonly string[];
}

/** Rows as an HTML table; columns default to the keys of the first row. */
export function tableHtml(
  rows: readonly Row[],
  columns: readonly string[] = Object.keys(rows[0] ?? {}),
  options: TableOptions = {},
): string {
  const head = columns.map((c) => `<th>${escapeHtml(options.labels?.[c] ?? c)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${columns.map((c) => `<td>${escapeHtml(formatCell(row[c]))}</td>`).join('')}</tr>`)
    .join('\n');
  const notes = (options.notes ?? []).map(
    (note) => `\n<p class="pcl-table-note"><small>${escapeHtml(note)}</small></p>`,
  );
  const table = `<table class="pcl-table"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${notes.join('')}`;
  return options.collapsed === undefined
    ? table
    : `<details><summary>${escapeHtml(options.collapsed)}</summary>${table}</details>`;
}

/** Rows as aligned plain text (first column left, the others right): for terminals and logs. */
export function tableText(rows: readonly Row[], columns: readonly string[] = Object.keys(rows[0] ?? {})): string {
  const cells = [columns.map(String), ...rows.map((row) => columns.map((c) => formatCell(row[c])))];
  const widths = columns.map((_, c) => Math.max(...cells.map((line) => line[c].length)));
  return cells
    .map((line) => line.map((text, c) => (c === 0 ? text.padEnd(widths[c]) : text.padStart(widths[c]))).join('  '))
    .join('\n');
}
