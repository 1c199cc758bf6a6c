// Threads of a training step: the main thread plus workers, all running the
// same phases over one shared arena, meeting at a barrier between phases.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CMD_STOP, CTL, type ArenaLayout } from './arena';
import type { WasmMemory } from './simd';

/** A reusable barrier over `parties` threads on two Int32 words of the control block. */
export function makeBarrier(ctl: Int32Array, parties: number): () => void {
  if (parties <= 1) return () => {};
  return () => {
    const gen = Atomics.load(ctl, CTL.BARRIER_GEN);
    if (Atomics.add(ctl, CTL.BARRIER_COUNT, 1) === parties - 1) {
      Atomics.store(ctl, CTL.BARRIER_COUNT, 0);
      Atomics.add(ctl, CTL.BARRIER_GEN, 1);
      Atomics.notify(ctl, CTL.BARRIER_GEN);
      return;
    }
    // Phases are short: spin briefly before sleeping.
    for (let spin = 0; spin < 4000; spin++) if (Atomics.load(ctl, CTL.BARRIER_GEN) !== gen) return;
    while (Atomics.load(ctl, CTL.BARRIER_GEN) === gen) Atomics.wait(ctl, CTL.BARRIER_GEN, gen, 1000);
  };
}

export interface WorkerData {
  memory: WasmMemory;
  layout: ArenaLayout;
  thread: number;
  threads: number;
}

/** Start `threads - 1` workers (the main thread is thread 0); resolves when all are ready. */
export async function startWorkers(memory: WasmMemory, layout: ArenaLayout, threads: number): Promise<Worker[]> {
  const workers: Worker[] = [];
  const ready: Promise<void>[] = [];
  const script = path.join(__dirname, `worker${path.extname(__filename)}`);
  for (let t = 1; t < threads; t++) {
    const data: WorkerData = { memory, layout, thread: t, threads };
    // Under tsx (sources are .ts) the worker must register tsx's require hook itself.
    const worker = script.endsWith('.ts')
      ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(script)});`,
        { eval: true, workerData: data })
      : new Worker(script, { workerData: data });
    ready.push(new Promise((resolve, reject) => {
      worker.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`training worker ${t} exited (code ${code}) before it was ready`)));
    }));
    workers.push(worker);
  }
  try {
    await Promise.all(ready);
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }
  return workers;
}

/** Tell the workers to leave their loop (they are waiting at the start barrier) and wait for them. */
export async function stopWorkers(workers: Worker[], ctl: Int32Array, barrier: () => void): Promise<void> {
  if (workers.length === 0) return;
  const exited = workers.map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())));
  Atomics.store(ctl, CTL.CMD, CMD_STOP);
  barrier();
  await Promise.all(exited);
}
