// Starts the scheduler (run `migrate.ts` first).
import { runUntilSignalled } from '@haru/http';
import { createLogger } from '@haru/observability';
import { loadServiceConfig } from './config.ts';
import { startService } from './service.ts';

const config = loadServiceConfig();
const logger = createLogger('scheduler', config.LOG_LEVEL);
const service = await startService(config, { logger });
runUntilSignalled(logger, [service.stop]);
