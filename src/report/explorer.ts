/**
 * An offline interactive explorer over precomputed results: one dropdown per knob and one for the
 * metric; changing any of them redraws a bar chart (one bar per method, method colours) and a table.
 * Everything is embedded in the page, so the exported HTML report stays interactive without a kernel.
 */
import { colorFor } from './colors';
import { withPlotly } from './figure';
import { nextPageId } from './page-ids';
import { escapeHtml, type Row } from './table';

export interface ExplorerCell {
  params: Readonly<Record<string, string | number>>;
  rows: readonly Row[];
}

export interface ExplorerOptions {
  /** Knob names, in display order, with a label (unit included). */
  axes: ReadonlyArray<{ key: string; label: string }>;
  /** Metrics offered in the metric dropdown, with axis titles (unit included). */
  metrics: ReadonlyArray<{ key: string; label: string }>;
  /** Column naming the method in each row. */
  series: string;
  /** Values selected when the page opens (e.g. the notebook's own setting); the first value otherwise. */
  initial?: Readonly<Record<string, string | number>>;
  height?: number;
}

/** The explorer's HTML (needs plotlyScriptTag on the page: call setupNotebook first). */
export function explorerHtml(cells: readonly ExplorerCell[], options: ExplorerOptions): string {
  const id = `pcl-explorer-${nextPageId('explorer')}`;
  const values = (key: string) => [...new Set(cells.map((c) => c.params[key]))];
  const selected = (key: string, v: string | number) =>
    options.initial?.[key] !== undefined && String(options.initial[key]) === String(v) ? ' selected' : '';
  const select = (key: string, label: string, choices: ReadonlyArray<string | number>, labels = choices.map(String)) =>
    `<label style="margin-right:1em">${escapeHtml(label)} <select data-key="${escapeHtml(key)}">` +
    choices
      .map((v, i) => `<option value="${escapeHtml(String(v))}"${selected(key, v)}>${escapeHtml(labels[i])}</option>`)
      .join('') +
    '</select></label>';
  const controls =
    options.axes.map((a) => select(a.key, a.label, values(a.key))).join('') +
    select(
      '__metric',
      'metric',
      options.metrics.map((m) => m.key),
      options.metrics.map((m) => m.label),
    );
  const methods = [...new Set(cells.flatMap((c) => c.rows.map((r) => String(r[options.series]))))];
  // rows as arrays under one list of column names: the names repeated in every row took most of a report's bytes
  const columns = Object.keys(cells[0]?.rows[0] ?? {});
  const packed = cells.map((c) => ({ params: c.params, rows: c.rows.map((r) => columns.map((k) => r[k] ?? null)) }));
  const payload = JSON.stringify({
    cells: packed,
    columns,
    axes: options.axes.map((a) => a.key),
    metrics: options.metrics,
    series: options.series,
    colors: Object.fromEntries(methods.map((m) => [m, colorFor(m)])),
  }).replace(/</g, '\\u003c');
  return (
    `<div id="${id}" class="pcl-explorer"><div>${controls}</div>` +
    `<div class="pcl-explorer-plot" style="width:100%;height:${options.height ?? 420}px"></div><div class="pcl-explorer-table"></div></div>` +
    `<script type="text/javascript">${withPlotly(`
var d=${payload};var root=document.getElementById(${JSON.stringify(id)});
var selects=root.querySelectorAll('select');
function val(k){for(var i=0;i<selects.length;i++){if(selects[i].getAttribute('data-key')===k)return selects[i].value;}}
function fmt(v){return typeof v==='number'&&!Number.isInteger(v)?Number(v.toPrecision(3)):v;}
function render(){
  var cell=d.cells.find(function(c){return d.axes.every(function(a){return String(c.params[a])===val(a);});});
  if(!cell)return;
  var rows=cell.rows.map(function(v){var r={};d.columns.forEach(function(c,i){r[c]=v[i];});return r;});
  var metric=val('__metric');var label=d.metrics.find(function(m){return m.key===metric;}).label;
  var names=rows.map(function(r){return String(r[d.series]);});
  Plotly.react(root.querySelector('.pcl-explorer-plot'),[{type:'bar',x:names,y:rows.map(function(r){return r[metric];}),
    marker:{color:names.map(function(n){return d.colors[n];})}}],
    {yaxis:{title:{text:label},rangemode:'tozero'},xaxis:{title:{text:d.series}},margin:{t:30}},{displaylogo:false,responsive:true});
  var cols=d.columns;
  root.querySelector('.pcl-explorer-table').innerHTML='<table class="pcl-table"><thead><tr>'+cols.map(function(c){return '<th>'+c+'</th>';}).join('')+
    '</tr></thead><tbody>'+rows.map(function(r){return '<tr>'+cols.map(function(c){return '<td>'+fmt(r[c])+'</td>';}).join('')+'</tr>';}).join('')+'</tbody></table>';
}
for(var i=0;i<selects.length;i++)selects[i].addEventListener('change',render);
render();`)}</script>`
  );
}
