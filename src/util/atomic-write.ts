import {
  closeSync,
  createWriteStream,
  existsSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { Socket } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { fileLabel, ReaderGoneError, UserError } from '../errors';
import { cleanUpOnEndingSignal } from './ending-signals';

/** The output name that means standard output, as in most Unix tools (`-o -`). */
export const STANDARD_OUTPUT = '-';

/** Temporary files are `.NAME.postcopy-lab-PID.tmp`: the marker and the PID tell whose they are. */
const TEMP_FILE = /^\..+\.postcopy-lab-(\d+)\.tmp$/;

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
}

/** Whether a process with this id exists (EPERM: it does, but belongs to someone else). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM';
  }
}

/**
 * Removes temporary files in `dir` left by writers that died mid-write (killed, so they never
 * reached their own cleanup): their process no longer exists. A live writer's file is left alone.
 */
function removeOrphans(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return; // a directory one may write into but not list (-wx): nothing to clear
  }
  for (const entry of entries) {
    const match = TEMP_FILE.exec(entry);
    if (match && Number(match[1]) !== process.pid && !isRunning(Number(match[1])))
      try {
        rmSync(join(dir, entry), { force: true });
      } catch {
        // another user's, in a sticky directory such as /tmp: theirs to remove
      }
  }
}

/** Removes a temporary file of ours if it is there; one that cannot be reached is left (the write failed anyway). */
function removeTemp(temp: string): void {
  try {
    rmSync(temp, { force: true });
  } catch {
    // a directory that cannot be searched (EACCES): nothing was written there
  }
}

/** The most symbolic links the kernel follows in one path. */
const MAX_LINKS = 40;

/**
 * What a rename puts the new content in place of: the file a symbolic link at `path` leads to, so that the link
 * stays and its target gets the content (as `> link` does), also when that file is not there yet (a link to a file
 * still to be written: it replaced the link with a file of its own); `path` itself otherwise. A loop of links is a
 * one-line UserError (ELOOP, as the shell says; it too was replaced by a file).
 */
function renameTarget(path: string): string {
  let at = path;
  for (let links = 0; links <= MAX_LINKS; links++) {
    try {
      if (!lstatSync(at).isSymbolicLink()) return at === path ? path : realpathSync(at);
      // from the link's real directory, as the kernel reads it: through a linked directory '..' leads elsewhere
      at = resolve(realpathSync(dirname(at)), readlinkSync(at));
    } catch {
      // not there (yet): written at the end of the links; a path that cannot be reached is named by the write
      return at;
    }
  }
  throw new UserError(`cannot write ${fileLabel(path)}: its symbolic links go round in a loop (ELOOP)`);
}

/**
 * A new working directory in `parent`, named PREFIX-PID-XXXXXX, after removing those that processes now gone left
 * there (killed before their own cleanup, e.g. a reproduce or a bench stopped mid-run): a live process's is left
 * alone, and so is one this user may not remove.
 */
export function workDirIn(parent: string, prefix: string): string {
  for (const entry of readdirSync(parent)) {
    if (!entry.startsWith(`${prefix}-`)) continue;
    const pid = Number(entry.slice(prefix.length + 1).split('-')[0]);
    if (pid > 0 && pid !== process.pid && !isRunning(pid)) removeWorkDir(join(parent, entry));
  }
  return mkdtempSync(join(parent, `${prefix}-${process.pid}-`));
}

/**
 * Removes a workDirIn directory, retried while what its process started may still be writing into it (a killed
 * Chromium's helpers). One that cannot be removed stays, and nothing stops for it: another user's (EACCES, in a
 * sticky directory such as /tmp) is theirs to remove, and a busy one is tried again by the next workDirIn.
 */
export function removeWorkDir(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 10 });
  } catch {
    // left (above)
  }
}

/**
 * Makes sure `dir` is a directory, creating the missing ones one level at a time (never mkdir's
 * recursive mode, which loops forever below /proc). A file in the way or a directory that cannot be
 * created is a one-line UserError.
 */
function ensureDirectory(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    try {
      if (statSync(at).isDirectory()) break;
      throw new UserError(`${fileLabel(at)} is not a directory, so nothing can be written under it`);
    } catch (err) {
      if (err instanceof UserError) throw err;
      const code = errorCode(err);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(at) === at)
        throw new UserError(`cannot reach ${fileLabel(at)} (${code})`);
      missing.push(at);
    }
  }
  for (const at of missing.reverse()) {
    try {
      mkdirSync(at);
    } catch (err) {
      if (errorCode(err) !== 'EEXIST')
        throw new UserError(`cannot create directory ${fileLabel(at)} (${errorCode(err)})`);
    }
  }
}

/**
 * Writes a file so that readers see either the old content or the new one, never half a file: write a
 * temporary file in the same directory, then rename it over the target (atomic on POSIX; a symbolic link's target,
 * the link kept). A writer killed mid-write (SIGKILL; a streamed one also by SIGINT, SIGTERM, SIGHUP, which remove it)
 * leaves its temporary file behind; the next write into that directory removes it. Problems
 * (the target is a directory, a file in the path, no permission, disk full) are one-line UserErrors. `-` (and
 * /dev/stdout, /dev/fd/2, a socket open as /dev/fd/3) is written through a stream of this process's descriptor,
 * whatever it is connected to: a failure there surfaces later, as the stream's 'error' event (the CLI's one line).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const open = openDescriptorStream(path);
  if (open) {
    if (open !== process.stdout && open !== process.stderr)
      open.once('error', (err) => {
        throw writeError(path, err);
      });
    open.write(data);
    return;
  }
  const flag = inPlaceFlags(path);
  if (flag) {
    try {
      writeFileSync(path, data, { flag });
      return;
    } catch (err) {
      throw writeError(path, err);
    }
  }
  const target = renameTarget(path);
  const temp = prepareTemp(target);
  try {
    writeFileSync(temp, data, { flag: 'wx' });
    renameSync(temp, target);
  } catch (err) {
    removeTemp(temp);
    throw writeError(path, err, temp);
  }
}

/**
 * Writing `path` failed with `err`: a pipe whose reader went away (only written in place) or a real failure. When
 * the temporary file `temp` could not be created, the directory is named: the target itself may be writable (or
 * exist: /proc/version said ENOENT), but the output is made beside it and renamed over it.
 */
function writeError(path: string, err: unknown, temp?: string): UserError {
  const code = errorCode(err);
  const { syscall, path: failed } = err as NodeJS.ErrnoException;
  if (temp !== undefined && syscall === 'open' && failed === temp)
    return new UserError(
      `cannot write ${fileLabel(path)}: no file can be created in ${fileLabel(dirname(temp))} (${code})`,
    );
  // another process's socket (/proc/PID/fd/N): Linux opens no socket by name
  const why = code === 'ENXIO' ? `${code}: a socket cannot be opened by name; write to standard output with -` : code;
  return new (code === 'EPIPE' ? ReaderGoneError : UserError)(`cannot write ${fileLabel(path)} (${why})`);
}

/**
 * How `path` is opened when written in place rather than by a rename ('w', or 'a' to append), undefined when it is
 * not: a device or a FIFO (-o /dev/null, a pipe), where a rename would put a regular file in the device's place (as
 * root it does: /dev/full became a file) and no reader can see half a file anyway; or an open descriptor other than
 * the standard streams (/dev/fd/3, /proc/PID/fd/N) even when that is a regular file: renamed over, the link itself
 * became a file as root and the redirected file stayed empty. A regular file behind a descriptor is appended to, as
 * its writer would (`>> log` keeps the log; opening it anew with 'w' would truncate what the shell opened).
 */
function inPlaceFlags(path: string): 'w' | 'a' | undefined {
  try {
    const stats = statSync(path);
    if (!stats.isFile() && !stats.isDirectory()) return 'w';
  } catch {
    return undefined;
  }
  return descriptorNamed(path) ? 'a' : undefined;
}

/**
 * The /proc/PID/fd entry that `path` is or links to through symbolic links (/dev/stdout, /dev/fd/1), as the
 * process id and the descriptor number; undefined when it names no descriptor.
 */
function descriptorNamed(path: string): { pid: number; fd: number } | undefined {
  let at = resolve(path);
  for (let links = 0; links <= MAX_LINKS; links++) {
    try {
      const fdDirectory = /^\/proc\/(\d+)\/fd$/.exec(realpathSync(dirname(at)));
      if (fdDirectory) return { pid: Number(fdDirectory[1]), fd: Number(basename(at)) };
      at = resolve(dirname(at), readlinkSync(at));
    } catch {
      return undefined; // not a link (EINVAL), or gone
    }
  }
  return undefined;
}

/** Streams made on this process's sockets named as /dev/fd/N, by descriptor: one stream a descriptor. */
const socketStreams = new Map<number, Socket>();

/**
 * Resolves once every stream this process writes its outputs through (standard output and error, sockets named as
 * /dev/fd/N) has taken all that was written to it: writes complete in order, so an empty write's callback comes last.
 */
export function outputsFlushed(): Promise<void> {
  const streams = [process.stdout, process.stderr, ...socketStreams.values()];
  // a stream that failed calls back with its error, reported by its 'error' listeners
  return Promise.all(streams.map((stream) => new Promise<void>((done) => stream.write('', () => done())))).then(
    () => undefined,
  );
}

/**
 * A stream on one of this process's descriptors when `path` names it, never opened anew: `-` and /dev/stdout (or
 * /dev/fd/1) are its standard output, /dev/fd/2 its error, and a socket at a higher descriptor (`3>&1` of a
 * socket) gets a stream of its own. Opening a socket by name fails (ENXIO: a child process whose stdio is a socket
 * pair, as node and systemd give), and a plain write to standard output can fail with EAGAIN (node makes a pipe or
 * socket there non-blocking); the stream waits for the reader as it should, whatever the descriptor is. Another
 * descriptor (a pipe, a file, a terminal) is opened by name as any path.
 */
function openDescriptorStream(path: string): NodeJS.WritableStream | undefined {
  if (path === STANDARD_OUTPUT) return process.stdout;
  const named = descriptorNamed(path);
  if (named?.pid !== process.pid) return undefined;
  if (named.fd === 1) return process.stdout;
  if (named.fd === 2) return process.stderr;
  let stream = socketStreams.get(named.fd);
  if (!stream) {
    try {
      if (!fstatSync(named.fd).isSocket()) return undefined;
    } catch {
      return undefined; // closed meanwhile: the open names the problem
    }
    stream = new Socket({ fd: named.fd, readable: false, writable: true });
    socketStreams.set(named.fd, stream);
  }
  return stream;
}

/** The longest file name most file systems take, in bytes (NAME_MAX). */
const NAME_MAX = 255;

/**
 * The temporary file's name for a file named `name` (TEMP_FILE): `.NAME.postcopy-lab-PID.tmp`, or for a name too
 * long for that (the target's own name may be up to NAME_MAX), the start of it and a hash of the whole, so that two
 * long names with one start do not share a temporary file.
 */
function tempName(name: string): string {
  const suffix = `.postcopy-lab-${process.pid}.tmp`;
  if (Buffer.byteLength(`.${name}${suffix}`) <= NAME_MAX) return `.${name}${suffix}`;
  const hash = `~${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
  const start = Array.from(name);
  while (Buffer.byteLength(`.${start.join('')}${hash}${suffix}`) > NAME_MAX) start.pop();
  return `.${start.join('')}${hash}${suffix}`;
}

/** The temporary file that becomes `path` by a rename, its directory made sure of and cleared of orphans. */
function prepareTemp(path: string): string {
  // `-o out/`: the rename onto it failed after the run with "cannot write out/ (ENOTDIR)"
  if (path.endsWith('/') && !existsSync(path))
    throw new UserError(`${fileLabel(path)} ends in /, as a directory does: name the file to write`);
  const dir = dirname(path);
  ensureDirectory(dir);
  try {
    if (statSync(path).isDirectory()) throw new UserError(`${fileLabel(path)} is a directory: name the file to write`);
  } catch (err) {
    if (err instanceof UserError) throw err;
  }
  removeOrphans(dir);
  // created exclusively (wx), never opened through a link someone put in its place, after any stale one of this PID
  const temp = join(dir, tempName(basename(path)));
  try {
    rmSync(temp, { force: true });
  } catch {
    // not removable (a directory): the exclusive create then fails with a one-line error
  }
  return temp;
}

/**
 * Checks, before a long run, that `path` can be written as writeFileAtomic or writeStreamAtomic would write it, so
 * that a mistake in it (a directory, a file in the way, no permission, a read-only disk) stops the run at once, not
 * after it: the missing directories are made and a temporary file is made there and removed, nothing else is left.
 * The problems are the writers' one-line UserErrors.
 */
export function checkOutputPath(path: string): void {
  if (openDescriptorStream(path) || inPlaceFlags(path)) return;
  const temp = prepareTemp(renameTarget(path));
  try {
    closeSync(openSync(temp, 'wx'));
  } catch (err) {
    throw writeError(path, err, temp);
  } finally {
    removeTemp(temp);
  }
}

/**
 * The existing regular file that writing `path` would replace (a symbolic link's target), or undefined: a new file,
 * standard output, a descriptor, a device or a FIFO (written in place, not replaced).
 */
export function fileReplacedBy(path: string): string | undefined {
  if (openDescriptorStream(path) || inPlaceFlags(path)) return undefined;
  const target = renameTarget(path);
  try {
    return statSync(target).isFile() ? target : undefined;
  } catch {
    return undefined; // not there yet, or not reachable: the write names the problem
  }
}

/**
 * writeFileAtomic for content made piece by piece and never held whole (gzip-compressed on the way
 * when `gzip`); a failure in the middle, the pieces' own UserErrors included, leaves no file behind.
 */
export async function writeStreamAtomic(
  path: string,
  pieces: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  gzip = false,
): Promise<void> {
  const writeInto = (sink: NodeJS.WritableStream, end: boolean) => {
    const source = Readable.from(pieces, { objectMode: false });
    return gzip ? pipeline(source, createGzip({ level: 9 }), sink, { end }) : pipeline(source, sink, { end });
  };
  const open = openDescriptorStream(path);
  if (open) {
    try {
      // the descriptor stays open for what follows
      await writeInto(open, false);
    } catch (err) {
      throw err instanceof UserError ? err : writeError(path, err);
    }
    return;
  }
  const flags = inPlaceFlags(path);
  const inPlace = flags !== undefined;
  const target = renameTarget(path);
  const temp = inPlace ? path : prepareTemp(target);
  // Ctrl-C (or a kill) while a long output streams in: the temporary file goes first
  const streamed = inPlace ? () => {} : cleanUpOnEndingSignal(() => removeTemp(temp));
  try {
    const file = createWriteStream(temp, { flags: flags ?? 'wx' });
    await writeInto(file, true);
    if (!inPlace) renameSync(temp, target);
  } catch (err) {
    if (!inPlace) removeTemp(temp);
    throw err instanceof UserError ? err : writeError(path, err, inPlace ? undefined : temp);
  } finally {
    streamed();
  }
}
