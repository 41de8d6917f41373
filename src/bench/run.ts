/**
 * `npm run bench`: every speed and memory goal of issue 11 as a ratio to a baseline measured in the
 * same run (the ratio is what stays comparable across machines and across loads on a shared one).
 * Each section is one module returning BenchLines; `--only` picks sections.
 */
import { availableParallelism, loadavg } from 'node:os';
import { intFlag, listFlag, parseFlags } from '../cli/args';
import { MAX_TRACE_ACCESSES } from '../trace';
import { quoted, UserError } from '../errors';
import type { BenchLine } from './measure';
import { memorySection } from './memory';
import { notebookSweepSection } from './notebook-sweeps';
import { parseSection } from './parse';
import { replaySection } from './replay';
import { sweepSection } from './sweep';

interface Options {
  accesses: number;
  rssAccesses: number;
}

const SECTIONS: Record<string, (o: Options) => BenchLine[]> = {
  replay: (o) => replaySection(o.accesses),
  sweep: () => sweepSection(),
  parse: () => parseSection(),
  memory: (o) => memorySection(o.rssAccesses),
  notebooks: () => notebookSweepSection(),
};

function format(value: number, unit: string): string {
  if (unit === 'accesses/s' || unit === 'lines/s' || unit === 'bytes/s')
    return `${(value / 1e6).toFixed(1)} M${unit.replace(/^\w+/, '')}`;
  return `${value.toFixed(value >= 100 ? 0 : 2)} ${unit}`;
}

const USAGE = `usage: npm run bench -- [--only SECTIONS] [--accesses N] [--rss-accesses N] [--json]
  --only SECTIONS     comma-separated, from ${Object.keys(SECTIONS).join(', ')} (default all)
  --accesses N        accesses of the replay section's trace (default 10000000)
  --rss-accesses N    accesses of the memory section's trace (default 100000000)
  --json              print one JSON report instead of the lines`;

function main(argv: string[]): void {
  const { values } = parseFlags(argv, {
    accesses: { type: 'string' },
    'rss-accesses': { type: 'string' },
    only: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  // an unknown flag's message points here
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const options: Options = {
    accesses: intFlag(values.accesses, 'accesses', 10_000_000, 2, MAX_TRACE_ACCESSES),
    rssAccesses: intFlag(values['rss-accesses'], 'rss-accesses', 100_000_000, 2, MAX_TRACE_ACCESSES),
  };
  const names = values.only === undefined ? Object.keys(SECTIONS) : listFlag(values.only, 'only');
  const unknown = names.filter((n) => !(n in SECTIONS));
  if (unknown.length)
    throw new UserError(`unknown bench section ${quoted(unknown[0])} (sections: ${Object.keys(SECTIONS).join(', ')})`);
  // the machine may be shared: the load before and after tells how far wall-clock numbers can be trusted
  const loadAtStart = loadavg()[0];
  const lines: BenchLine[] = [];
  for (const name of names) {
    const section = SECTIONS[name](options);
    lines.push(...section);
    if (!values.json) for (const l of section) printLine(l);
  }
  const load = { start: loadAtStart, end: loadavg()[0] };
  if (!values.json) {
    // the load at the start is others' work; by the end it counts this run's own threads too
    const busy = load.start > availableParallelism() / 2;
    const warning = busy ? ': other work shares the cores, so wall-clock ratios (the sweep speed-up) mean little' : '';
    console.log(
      `load average (1 min): ${load.start.toFixed(2)} at the start, ${load.end.toFixed(2)} at the end${warning}`,
    );
  }
  const report = {
    cores: availableParallelism(),
    load,
    node: process.version,
    accesses: options.accesses,
    rssAccesses: options.rssAccesses,
    lines,
  };
  if (values.json) console.log(JSON.stringify(report, null, 2));
}

function printLine(l: BenchLine): void {
  const goal = l.target ? `  goal ${l.target}: ${l.met ? 'met' : 'NOT met'}` : '';
  const spread = l.samples ? `  (each: ${l.samples.map((v) => v.toFixed(2)).join(', ')})` : '';
  const ratio =
    l.name === 'bare loop' || l.value === l.baselineValue ? 'baseline' : `${l.ratio.toFixed(3)} x ${l.baseline}`;
  console.log(
    `${l.section.padEnd(7)} ${l.name.padEnd(48)} ${format(l.value, l.unit).padStart(14)}  ${ratio}${goal}${spread}`,
  );
}

try {
  main(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UserError)) throw err;
  process.stderr.write(`bench: ${err.message}\n`);
  process.exitCode = 2;
}
