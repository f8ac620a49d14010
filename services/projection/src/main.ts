// Entry point of the projection service (one process; run any number of replicas).

import { configOrExit } from '@haru/config';
import { runUntilSignalled } from '@haru/http';
import { loadServiceConfig } from './config.ts';
import { startService } from './service.ts';

const service = await startService(configOrExit('haru projection', () => loadServiceConfig()));
runUntilSignalled(service.logger, service.stops);
