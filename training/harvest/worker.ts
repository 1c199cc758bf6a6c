// Worker thread of the harvester: owns one Chunker, harvests the units it is
// sent one at a time, and reports back.
import { parentPort } from 'node:worker_threads';
import { Chunker } from '../../src/core/chunk/chunker';
import type { HarvestUnit } from './packages';
import { harvestUnit, type UnitOptions, type UnitProgress, type UnitReport } from './unitHarvest';

export interface UnitJob {
  type: 'unit';
  unit: HarvestUnit;
  key: string;
  candidatePath: string;
  options: UnitOptions;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; key: string; progress: UnitProgress }
  | { type: 'done'; key: string; report: UnitReport }
  | { type: 'failed'; key: string; error: string };

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('harvest worker must run in a worker thread');
  const chunker = await Chunker.create();
  await chunker.prepare('python', 'javascript', 'typescript', 'tsx', 'go', 'rust', 'java', 'c', 'cpp', 'csharp', 'ruby', 'php');
  // the main thread terminates the worker when the queue is empty
  port.on('message', (msg: UnitJob) => {
    harvestUnit(chunker, msg.unit, msg.key, msg.candidatePath, msg.options, (progress) => {
      port.postMessage({ type: 'progress', key: msg.key, progress } satisfies WorkerMessage);
    }).then(
      (report) => port.postMessage({ type: 'done', key: msg.key, report } satisfies WorkerMessage),
      (err: unknown) => port.postMessage({ type: 'failed', key: msg.key, error: err instanceof Error ? err.message : String(err) } satisfies WorkerMessage),
    );
  });
  port.postMessage({ type: 'ready' } satisfies WorkerMessage);
}

serve().catch((err: unknown) => {
  parentPort?.postMessage({ type: 'failed', key: '', error: `worker start failed: ${err instanceof Error ? err.message : String(err)}` });
  process.exit(1);
});
