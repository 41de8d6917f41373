/** A tidy row: one observation, one column per variable. */
export type Row = Readonly<Record<string, string | number | boolean | null | undefined>>;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ESCAPES[c]);
}

/** A number as a short readable string: integers as is, others with 3 significant digits. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  if (!Number.isFinite(value)) return String(value);
  return Number(value.toPrecision(3)).toString();
}

function formatCell(value: Row[string]): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'number' ? formatNumber(value) : String(value);
}

/** Rows as an HTML table; columns default to the keys of the first row. */
export function tableHtml(rows: readonly Row[], columns: readonly string[] = Object.keys(rows[0] ?? {})): string {
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${columns.map((c) => `<td>${escapeHtml(formatCell(row[c]))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table class="pcl-table"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Rows as aligned plain text (first column left, the others right): for terminals and logs. */
export function tableText(rows: readonly Row[], columns: readonly string[] = Object.keys(rows[0] ?? {})): string {
  const cells = [columns.map(String), ...rows.map((row) => columns.map((c) => formatCell(row[c])))];
  const widths = columns.map((_, c) => Math.max(...cells.map((line) => line[c].length)));
  return cells.map((line) => line.map((text, c) => (c === 0 ? text.padEnd(widths[c]) : text.padStart(widths[c]))).join('  ')).join('\n');
}
