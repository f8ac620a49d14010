// Entry point of the gateway (one process, stateless; run any number of replicas).

import { runCommand } from '@haru/config';
import { runUntilSignalled } from '@haru/http';
import { loadServiceConfig } from './config.ts';
import { startService } from './service.ts';

await runCommand('haru gateway', async () => {
  const service = await startService(loadServiceConfig());
  runUntilSignalled(service.logger, service.stops);
});
