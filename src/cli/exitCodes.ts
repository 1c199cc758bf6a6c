// The CLI's exit code and message for an error: the same whether the command
// ran in this process or in `sift serve` (which sends both back).
import { UsageError } from './args';
import { QueryError } from '../core/search/search';
import { isWriteRefusal } from './refreshOrWarn';

export interface ExitError { exitCode: number; message: string }

export function exitFor(e: unknown): ExitError {
  const message = (e as Error)?.message ?? String(e);
  if (e instanceof UsageError || e instanceof QueryError) return { exitCode: 2, message };
  if (isWriteRefusal(e)) return { exitCode: 4, message };
  if (/^(No such folder|Not a folder|Not a directory)/.test(message)) return { exitCode: 3, message };
  return { exitCode: 1, message };
}
