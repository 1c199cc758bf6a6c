// Errors shared across the engine's on-disk formats.

/** An index file (or buffer) is not what its writer produced: bad magic, unknown version, wrong length or checksum. */
export class CorruptIndexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptIndexError';
  }
}
