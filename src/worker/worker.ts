// Entry of the index worker (dist/worker.js): a worker_threads thread that
// owns the index, so chunking, embedding and searching never block the
// extension host. Speaks the protocol in ./protocol.
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerData, WorkerMessage } from './protocol';
import { IndexService } from './service';

if (!parentPort) throw new Error('worker.js must run in a worker thread');
const port = parentPort;
const data = (workerData ?? {}) as WorkerData;
const service = new IndexService((m: WorkerMessage) => port.postMessage(m), { testHooks: data.testHooks === true });
port.on('message', (m: unknown) => service.handle(m));
