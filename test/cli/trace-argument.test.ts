/**
 * Every command that reads a trace takes it as `--trace FILE` or as the argument `FILE`, with the same result
 * (src/cli/args.ts fileArguments); the conflicts (both given, twice, none) are among test/cli/bad-inputs.test.ts.
 * Runs the compiled dist/cli.js: `npm run build` before running it alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../temp-dir';

const CLI = resolve('dist/cli.js');
const dir = tempDir('trace-argument');
const trace = resolve('datasets/sort.trace.gz');
const cli = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

test('simulate, compare, predict and trace stats print the same for --trace FILE and FILE', () => {
  const commands = [
    ['simulate', '--prefetcher', 'next-k', '--switchover', '30%', '--json'],
    ['compare', '--prefetchers', 'none,oracle', '--switchover', '30%'],
    ['predict', '--predictor', 'next-k', '--json'],
    ['trace', 'stats', '--json'],
  ];
  for (const command of commands) {
    const flagged = cli(...command, '--trace', trace);
    assert.match(flagged, /\d/, command.join(' '));
    assert.equal(cli(...command, trace), flagged, command.join(' '));
  }
});

test('trace convert takes IN and OUT as --trace IN / -o OUT or as arguments, in any mix', () => {
  const forms = [
    (out: string) => [trace, out],
    (out: string) => ['--trace', trace, out],
    (out: string) => [trace, '-o', out],
    (out: string) => ['-o', out, '--trace', trace],
  ];
  const outputs = forms.map((form, i) => {
    const out = join(dir, `converted-${i}.pctrace`);
    cli('trace', 'convert', ...form(out));
    return readFileSync(out);
  });
  assert.ok(outputs[0].length > 0);
  for (const output of outputs.slice(1)) assert.ok(output.equals(outputs[0]));
});

test('whatif embeds the traces given as arguments as it embeds those given as --trace, in order', () => {
  const small = join(dir, 'small.trace');
  cli('trace', 'gen', 'zipf', '--seed', '1', '--accesses', '50', '--pages', '8', '-o', small);
  cli('whatif', '-o', join(dir, 'flagged.html'), '--trace', small, '--trace', trace);
  cli('whatif', '-o', join(dir, 'positional.html'), small, trace);
  assert.ok(readFileSync(join(dir, 'positional.html')).equals(readFileSync(join(dir, 'flagged.html'))));
});
