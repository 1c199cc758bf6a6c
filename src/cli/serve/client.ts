// A client of `sift serve`: one connection, requests with ids, replies
// matched to them, warnings passed on as they come. Light (node:net only):
// the CLI's fast entry uses it before any engine code is loaded.
import * as net from 'node:net';
import type { IndexProgress } from '../../core/types';
import type { ErrorCode, Request, ServerLine } from './protocol';

/** The daemon answered with an error: its code, message and the CLI exit code it maps to. */
export class DaemonError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly exitCode: number) { super(message); this.name = 'DaemonError'; }
}

/** The connection ended before the reply came (the daemon stopped or crashed). */
export class DaemonGone extends Error {
  constructor(message = 'sift serve closed the connection before answering') { super(message); this.name = 'DaemonGone'; }
}

/** Codes meaning nobody listens there (no daemon, or a stale socket file). */
const NOBODY = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK', 'EACCES', 'EPERM']);

type DistributiveOmit<T, K extends keyof any> = T extends unknown ? Omit<T, K> : never;
export type Outgoing = DistributiveOmit<Request, 'id'>;

/** What a request's caller hears before the reply. */
export interface Listeners { warning?: (m: string) => void; progress?: (p: IndexProgress) => void }

interface Pending { resolve: (v: unknown) => void; reject: (e: Error) => void; on: Listeners }

export class DaemonClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buf = '';
  private gone: Error | null = null;

  private constructor(private readonly sock: net.Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => this.onData(d));
    sock.on('error', (e) => this.fail(new DaemonGone(`sift serve connection failed: ${e.message}`)));
    sock.on('close', () => this.fail(new DaemonGone()));
  }

  /** Connect, or null when no daemon listens at `socket`. */
  static connect(socket: string): Promise<DaemonClient | null> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(socket);
      sock.once('connect', () => {
        sock.removeAllListeners('error');
        resolve(new DaemonClient(sock));
      });
      sock.once('error', (e: NodeJS.ErrnoException) => {
        sock.destroy();
        if (NOBODY.has(e.code ?? '')) resolve(null); else reject(e);
      });
    });
  }

  /** Send a request; resolves with the reply's value, rejects with DaemonError or DaemonGone. A function: warnings only. */
  request(req: Outgoing, on: Listeners | ((m: string) => void) = {}): Promise<unknown> {
    const listeners = typeof on === 'function' ? { warning: on } : on;
    if (this.gone) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, on: listeners });
      this.sock.write(JSON.stringify({ ...req, id }) + '\n');
    });
  }

  /** Let the process exit while the connection is open (a long-lived client between requests). */
  unref(): void { this.sock.unref(); }
  ref(): void { this.sock.ref(); }

  /** End the connection (pending requests fail with DaemonGone). */
  close(): void {
    this.sock.end();
  }

  /** Drop the connection at once, without waiting for the daemon's side to close (a process about to exit). */
  destroy(): void {
    this.sock.destroy();
  }

  private onData(d: string): void {
    this.buf += d;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      let msg: ServerLine;
      try { msg = JSON.parse(line) as ServerLine; } catch { continue; }
      const p = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
      if (!p) continue;
      if ('event' in msg) {
        if (msg.event === 'warning') p.on.warning?.(msg.message);
        else if (msg.event === 'progress') p.on.progress?.(msg.progress);
        continue;
      }
      this.pending.delete(msg.id as number);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new DaemonError(msg.error.code, msg.error.message, msg.error.exitCode));
    }
  }

  private fail(e: Error): void {
    this.gone ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
