export {
  inboxRetention,
  type RetentionBatch,
  type RetentionStep,
  type RetentionSweep,
  rowsOlderThan,
  startRetentionSweep,
  sweepRetention,
} from './retention-sweep.ts';
export {
  type RunningService,
  type ServiceDefinition,
  serviceApp,
  startDatabaseService,
} from './start-database-service.ts';
