// Entry point of the scheduler (one process; run any number of replicas).
import { runUntilSignalled } from '@haru/http';
import { loadServiceConfig } from './config.ts';
import { startService } from './service.ts';

const service = await startService(loadServiceConfig());
runUntilSignalled(service.logger, service.stops);
