// --listen HOST:PORT for `sift serve --store`: IPv4, a host name or [IPv6],
// and whether it is only reachable from this machine (loopback).
import { UsageError } from '../args';

export const DEFAULT_LISTEN = '127.0.0.1:7700';

export interface ListenAddress { host: string; port: number }

export function parseListen(v: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(v.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new UsageError(`--listen takes HOST:PORT, e.g. 127.0.0.1:7700, 0.0.0.0:7700 or [::1]:7700 (got ${v})`);
  return { host: m[1] ?? m[2], port };
}

/** True for addresses only this machine reaches (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}
