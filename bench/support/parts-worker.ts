// fauxqs (SNS/SQS) and the local FCM endpoint on a thread of their own, so that they have
// their own event loop, as separate processes would, instead of sharing the one that
// drives load and takes timestamps.
import { parentPort, workerData } from 'node:worker_threads';
import { type FcmEndpoint, type LocalAws, startFcmEndpoint, startLocalAws } from '@haru/dev-stack';

const { fcm } = workerData as { fcm: boolean };
const localAws: LocalAws = await startLocalAws({ port: 0 });
const fcmEndpoint: FcmEndpoint | undefined = fcm ? await startFcmEndpoint({ port: 0 }) : undefined;
parentPort?.postMessage({ awsEndpointUrl: localAws.url, fcmEndpointUrl: fcmEndpoint?.url });
parentPort?.on('message', async (command: unknown) => {
  if (command !== 'stop') return;
  await fcmEndpoint?.stop();
  await localAws.stop();
  parentPort?.postMessage('stopped');
  parentPort?.close();
});
