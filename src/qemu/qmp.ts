/**
 * A minimal QMP client (QEMU Machine Protocol): one JSON object per line over a unix socket; after
 * the greeting, `qmp_capabilities`, then commands answered in order by `return` or `error`.
 * Asynchronous events (lines with `event`) are kept in `events`.
 */
import { connect, type Socket } from 'node:net';

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void; command: string };

export class QmpClient {
  readonly events: { event: string; data?: unknown; timestamp?: unknown }[] = [];
  private buffer = '';
  private readonly pending: Pending[] = [];
  private greeted!: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    private readonly name: string,
  ) {}

  /** Connects to `path`, retrying while QEMU has not created the socket yet (up to `timeoutMs`). */
  static async open(path: string, name: string, timeoutMs = 20_000): Promise<QmpClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s: Socket = connect(path, () => resolve(s));
          s.once('error', reject);
        });
        const client = new QmpClient(socket, name);
        client.listen();
        await client.greeted;
        await client.execute('qmp_capabilities');
        return client;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`${name}: no QMP socket at ${path} (${(err as Error).message})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private listen(): void {
    let greet!: () => void;
    this.greeted = new Promise((resolve) => (greet = resolve));
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, newline).trim();
        this.buffer = this.buffer.slice(newline + 1);
        if (line !== '') this.onMessage(JSON.parse(line) as Record<string, unknown>, greet);
      }
    });
    this.socket.on('close', () => {
      for (const p of this.pending.splice(0)) p.reject(new Error(`${this.name}: QMP closed during ${p.command}`));
    });
  }

  private onMessage(message: Record<string, unknown>, greet: () => void): void {
    if ('QMP' in message) greet();
    else if ('event' in message) this.events.push(message as QmpClient['events'][number]);
    else {
      const p = this.pending.shift();
      if (!p) return;
      if ('error' in message) p.reject(new Error(`${this.name}: ${p.command}: ${JSON.stringify(message.error)}`));
      else p.resolve(message.return);
    }
  }

  /** Runs one command and resolves with its `return` value. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ resolve: resolve as (value: unknown) => void, reject, command });
      this.socket.write(
        JSON.stringify(args === undefined ? { execute: command } : { execute: command, arguments: args }) + '\n',
      );
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
