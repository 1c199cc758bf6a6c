// A training worker: thread t of k, running each step's phases on its share of the arena.
import { parentPort, workerData } from 'node:worker_threads';
import { CMD_STOP, CTL, viewsOf } from './arena';
import { makeContext, runStepGuarded } from './model';
import { instantiateKernels } from './simd';
import { makeBarrier, type WorkerData } from './threads';

const data = workerData as WorkerData;
const views = viewsOf(data.memory, data.layout);
const ctx = makeContext(data.layout, views, instantiateKernels(data.memory));
const barrier = makeBarrier(views.ctl, data.threads);
parentPort?.postMessage('ready');
for (;;) {
  barrier(); // start of a step, or the stop signal
  if (Atomics.load(views.ctl, CTL.CMD) === CMD_STOP) break;
  runStepGuarded(ctx, data.thread, data.threads, barrier);
}
