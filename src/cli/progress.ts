// A one-line progress bar for a TTY: files, chunks, rate and ETA.
import type { IndexProgress } from '../core/types';

export class ProgressBar {
  private readonly start = Date.now();
  private last = 0;
  constructor(private readonly out: NodeJS.WriteStream) {}

  update(p: IndexProgress): void {
    const now = Date.now();
    if (now - this.last < 100 && p.phase !== 'done') return;
    this.last = now;
    const secs = (now - this.start) / 1000;
    let done: number, total: number, unit: string;
    if (p.phase === 'embed') { done = p.embedded; total = p.embedTotal; unit = 'chunks embedded'; }
    else { done = p.filesDone; total = p.filesTotal; unit = 'files'; }
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const rate = secs > 0 ? done / secs : 0;
    const eta = rate > 0 && total > done ? `${Math.ceil((total - done) / rate)}s` : '-';
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const line = `${p.phase.padEnd(5)} ${bar} ${done}/${total} ${unit} · ${p.chunks} chunks · ${rate.toFixed(0)}/s · ETA ${eta}`;
    const cols = this.out.columns || 100;
    this.out.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length))}\x1b[K`);
  }

  done(): void { this.out.write('\r\x1b[K'); }
}
