// Durations on the command line: 1500ms, 90s, 30m, 2h, or plain minutes (30).
import { UsageError } from '../args';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

export function parseDuration(option: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/.exec(text);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? 'm'] : NaN;
  if (!(ms > 0) || !Number.isFinite(ms) || ms > 2 ** 31 - 1) {
    throw new UsageError(`--${option} must be a duration such as 500ms, 90s, 30m or 2h (plain numbers are minutes), up to 24 days; got ${text}`);
  }
  return Math.round(ms);
}
