/**
 * `postcopy-lab whatif -o FILE`: writes the live what-if page, one self-contained HTML file that re-runs the
 * simulator in the reader's browser as they move the knobs (README "What-if page").
 */
import { quoted, UserError } from '../errors';
import { whatIfPageOptions } from '../experiments';
import { writeWhatifPage } from '../report/whatif/page';
import { readTrace } from '../trace';
import { parseFlags, requireFlag } from './args';

const USAGE = `usage: postcopy-lab whatif -o FILE [--trace FILE]...
  -o, --output FILE   where to write the page (HTML, self-contained, works offline from file://)
  --trace FILE        also embed this trace (text or .pctrace, optionally .gz); repeatable
The page offers the real traces of datasets/ and the seeded synthetic workloads of the notebooks.`;

const FLAGS = {
  output: { type: 'string', short: 'o' },
  trace: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(argv, FLAGS, true);
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length > 0)
    throw new UserError(`whatif takes no positional arguments, got ${quoted(positionals[0])}`);
  const output = requireFlag(values.output, 'output');
  const options = whatIfPageOptions();
  // streamed (readTrace): a large .gz is gunzipped chunk by chunk, never whole beside the trace
  const extra = [];
  for (const path of values.trace ?? []) extra.push(await readTrace(path));
  writeWhatifPage(output, {
    ...options,
    workloads: [...extra.map((trace) => ({ name: trace.name, trace })), ...options.workloads],
  });
  console.log(`wrote ${output}`);
}
