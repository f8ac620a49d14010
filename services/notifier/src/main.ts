// Entry point: runs the notifier until SIGTERM or SIGINT.
import { runUntilSignalled } from '@haru/http';
import { createLogger } from '@haru/observability';
import { loadServiceConfig } from './config.ts';
import { startService } from './service.ts';

const config = loadServiceConfig();
const logger = createLogger('notifier', config.LOG_LEVEL);
const service = await startService(config, { logger });
runUntilSignalled(logger, [service.stop]);
