// Human-readable reasons for files that are not indexed. They end up in the
// CLI's and the extension's "skipped" lists, so they say what happened in
// words rather than errno codes.

/** "1.0 MB", "50.0 MB", "812 bytes". */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} bytes`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} KB`;
  if (n < 1_000_000_000) return `${(n / 1_000_000).toFixed(1)} MB`;
  return `${(n / 1_000_000_000).toFixed(1)} GB`;
}

export function tooLargeReason(size: number, cap: number): string {
  return `too large: ${formatBytes(size)} (${size} bytes) exceeds the ${formatBytes(cap)} (${cap} bytes) limit`;
}

/** Reason for a failed file-system call on a path that was listed a moment ago. */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT': return 'file no longer exists (deleted after it was listed)';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ELOOP': return 'symlink loop';
    case 'EISDIR': return 'is a folder, not a file';
    case 'ENAMETOOLONG': return 'path too long';
    case 'EIO': return 'I/O error while reading';
    case 'EMFILE':
    case 'ENFILE': return 'too many open files';
    default: {
      const message = err instanceof Error ? err.message : String(err);
      return `cannot read: ${code ?? message}`;
    }
  }
}
