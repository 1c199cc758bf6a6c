// Types for scripts/pgLib.mjs (plain JavaScript so that `node scripts/pg.mjs` needs no build).
export type Log = (line: string) => void;

export interface PgRun {
  runDir: string;
  dataDir: string;
  sockDir: string;
  /** The server's log file. */
  log: string;
  /** The PostgreSQL bin folder. */
  bin: string;
  port: number;
  password: string;
  /** postgresql://sift:PASSWORD@127.0.0.1:PORT/sift */
  url: string;
  /** The postmaster's pid. */
  pid: number;
  /** The user the server runs as when we are root. */
  user?: { name: string; uid: number; gid: number };
  kind: string;
  owner: number;
  startedAt: string;
}

export declare const WHEEL: { spec: string; file: string; sha256: string; installPrefix: string };
export declare const PG_USER: string;
export declare const PG_DATABASE: string;
export declare class PgError extends Error {
  constructor(message: string, logTail?: string);
}

export declare function cacheDir(): string;
export declare function homeDir(): string;
export declare function serverUser(): { name: string; uid: number; gid: number } | undefined;
export declare function cliStateFile(): string;
export declare function ensureWheel(log?: Log): string;
export declare function extractZip(zipFile: string, dest: string): void;
export declare function ensureInstall(log?: Log): string;
export declare function alive(pid: number): boolean;
export declare function logTail(run: PgRun, lines?: number): string;
export declare function freePort(): Promise<number>;
export declare function readRun(runDir: string): PgRun | undefined;
export declare function startServer(opts?: {
  port?: number;
  kind?: string;
  log?: Log;
  settings?: Record<string, string | number>;
}): Promise<PgRun>;
export declare function psql(run: PgRun, db: string, sql: string): string;
export declare function killServer(run: PgRun): Promise<void>;
export declare function restartServer(run: PgRun, log?: Log): Promise<PgRun>;
export declare function stopServer(run: PgRun, log?: Log): Promise<void>;
export declare function stopServerSync(run: PgRun): void;
export declare function sweepOrphans(log?: Log): void;
export declare function cliRun(): PgRun | undefined;
export declare function saveCliRun(run: PgRun): void;
export declare function forgetCliRun(): void;
