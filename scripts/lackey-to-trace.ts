/**
 * Converter behind scripts/capture-trace.sh: reads `valgrind --tool=lackey --trace-mem=yes`
 * output on stdin (streamed, never stored) and saves the reduced, densely remapped page trace.
 * The reduction is documented on LackeyConverter (src/trace/lackey.ts) and in datasets/README.md.
 *
 * usage: tsx scripts/lackey-to-trace.ts -o OUT [--lru N] [--fetches] [--name NAME]  (NAME: OUT's, without extensions)
 */
import { parseFlags, intFlag, requireFlag } from '../src/cli/args';
import { UserError } from '../src/errors';
import { DEFAULT_LRU_PAGES, LackeyConverter, saveTrace } from '../src/trace';
import { nameFromPath } from '../src/trace/decode';

async function main(argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, {
    output: { type: 'string', short: 'o' },
    lru: { type: 'string' },
    fetches: { type: 'boolean' },
    name: { type: 'string' },
  });
  const output = requireFlag(values.output, 'output');
  const converter = new LackeyConverter({
    lruPages: intFlag(values.lru, 'lru', DEFAULT_LRU_PAGES, 0, 2 ** 27),
    includeInstructionFetches: values.fetches ?? false,
    // named like a file without a name line, so that captures without --name are told apart (all were 'lackey')
    name: values.name ?? nameFromPath(output),
  });
  for await (const chunk of process.stdin) converter.feed(chunk as Buffer);
  const trace = converter.finish();
  if (converter.instructions === 0)
    throw new UserError('no lackey records on stdin (did valgrind --tool=lackey --trace-mem=yes run?)');
  saveTrace(trace, output);
  // Frames are dense, so the largest frame number + 1 is the number of distinct pages.
  const distinctPages = trace.page.reduce((max, page) => Math.max(max, page + 1), 0);
  process.stderr.write(
    `lackey-to-trace: ${converter.instructions} instructions, ${converter.rawAccesses} accesses, ` +
      `${trace.page.length} kept after the LRU filter, ${distinctPages} distinct pages -> ${output}\n`,
  );
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`lackey-to-trace: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = err instanceof UserError ? 2 : 1;
});
