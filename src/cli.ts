#!/usr/bin/env -S node --max-semi-space-size=32 --initial-old-space-size=64
/**
 * The `postcopy-lab` command line. Each subcommand lives in src/cli/<name>.ts and exports
 * `run(argv: string[]): Promise<void> | void`; user mistakes throw UserError (exit code 2). The shebang gives node
 * the heap the sweep workers and the notebooks' kernels have (src/util/young-generation.ts), so that a
 * sweep's jobs in this thread collect their garbage as cheaply (`node dist/cli.js` runs without it: V8 sizes the heap
 * as the thread starts, nothing later can change it).
 */
import { printable, quoted, ReaderGoneError, UserError } from './errors';
import { outputsFlushed } from './util/atomic-write';

type Command = { summary: string; load: () => Promise<{ run(argv: string[]): unknown }> };

const COMMANDS: Record<string, Command> = {
  trace: {
    summary: 'trace gen|convert|stats: make, convert and describe page-access traces',
    load: () => import('./cli/trace'),
  },
  predict: { summary: 'prediction metrics of one predictor on a trace', load: () => import('./cli/predict') },
  simulate: { summary: 'simulate one migration (post-copy, pre-copy or hybrid)', load: () => import('./cli/simulate') },
  compare: { summary: 'simulate several predictors side by side', load: () => import('./cli/compare') },
  sweep: {
    summary: "run a notebook's sweep on all cores, or one shard of it; merge shards",
    load: () => import('./cli/sweep'),
  },
  qemu: {
    summary: 'qemu migrate|validate|compare: real QEMU post-copy migrations (npm run qemu:setup), their replays',
    load: () => import('./cli/qemu'),
  },
  whatif: { summary: 'write the live what-if page (one offline HTML file)', load: () => import('./cli/whatif') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return (
    `usage: postcopy-lab <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n` +
    "Run 'postcopy-lab <command> --help' for a command's options."
  );
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  // no command is a usage error as elsewhere (exit 2, one line), not the help with exit 0 a script would take as done
  if (name === undefined)
    throw new UserError(
      `missing the command (usage: postcopy-lab <command> [options]; commands: ${Object.keys(COMMANDS).join(', ')}; ` +
        '--help says what each does)',
    );
  if (name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return;
  }
  // own keys only: "toString" or "__proto__" would find Object.prototype's members
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) throw new UserError(`unknown command ${quoted(name)} (commands: ${Object.keys(COMMANDS).join(', ')})`);
  const module = await command.load();
  await module.run(rest);
}

/** The input needs more memory than node can allocate: a typed array too large for this machine. */
function isOutOfMemory(err: unknown): err is RangeError {
  return err instanceof RangeError && /allocation failed|Invalid (typed )?array length/.test(err.message);
}

// Standard output that cannot be written (a full disk, /dev/full) would lose the results silently with exit 0;
// a reader that went away (`| head`) is not an error: stop quietly, as tools killed by SIGPIPE do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`postcopy-lab: cannot write the results to standard output (${err.code ?? err.message})\n`);
  process.exit(2);
});

/** How a run that failed with `err` ends: one line and exit 2 for the user's mistakes, the stack for a bug (exit 1). */
function reportFailure(err: unknown): void {
  if (err instanceof ReaderGoneError) return; // `-o /dev/stdout | head`: as a closed standard output, above
  if (err instanceof UserError || isOutOfMemory(err)) {
    const message = err instanceof UserError ? err.message : `not enough memory for this input (${err.message})`;
    // one line whatever the message holds, and no terminal control from a file's text (names are quoted where they
    // are built; this is the backstop)
    process.stderr.write(`postcopy-lab: ${printable(message.replace(/[\r\n]+/g, ' '))}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(
      `postcopy-lab: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  }
}

// an output stream's failure after the command returned (a socket as /dev/fd/3) is reported as the command's own
process.on('uncaughtException', (err) => {
  reportFailure(err);
  process.exit();
});

/**
 * Ends the process once its output is written, from inside the event loop, rather than letting the loop run dry: Node
 * 20 sometimes hangs forever after the loop ends, its main thread waiting in NodePlatform::DrainTasks for compile
 * tasks that never report done (nodejs/node#54918), a call that follows the loop's end. Stress runs did not show it
 * lowers the count of such hangs (DEVELOPERS.md); it also ends a run that a stray handle would keep alive.
 */
function exitWhenWritten(): void {
  void outputsFlushed().then(() => process.exit());
}

main(process.argv.slice(2)).catch(reportFailure).finally(exitWhenWritten);
