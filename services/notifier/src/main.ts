// Entry point of the notifier (one process; run any number of replicas).

import { configOrExit } from '@haru/config';
import { runUntilSignalled } from '@haru/http';
import { loadServiceConfig } from './config.ts';
import { startService } from './service.ts';

const service = await startService(configOrExit('haru notifier', () => loadServiceConfig()));
runUntilSignalled(service.logger, service.stops);
