// Entry point of the gateway (one process, stateless; run any number of replicas).

import { configOrExit } from '@haru/config';
import { runUntilSignalled } from '@haru/http';
import { loadServiceConfig } from './config.ts';
import { startService } from './service.ts';

const service = await startService(configOrExit('haru gateway', () => loadServiceConfig()));
runUntilSignalled(service.logger, service.stops);
