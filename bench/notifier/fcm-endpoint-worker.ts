// The local FCM endpoint on a thread of its own, so that it has its own event loop (and
// core), as a separate process would, instead of sharing the sender's.
import { parentPort } from 'node:worker_threads';
import { startFcmEndpoint } from '@haru/dev-stack';

const endpoint = await startFcmEndpoint({ port: 0 });
parentPort?.postMessage({ url: endpoint.url });
parentPort?.on('message', async (command: unknown) => {
  // This thread's CPU time (µs), so that the benchmark can tell what each push cost it.
  if (command === 'cpu') parentPort?.postMessage({ cpu: process.threadCpuUsage() });
  if (command !== 'stop') return;
  await endpoint.stop();
  parentPort?.close();
});
