export {
  type RunningService,
  type ServiceDefinition,
  serviceApp,
  startDatabaseService,
} from './start-database-service.ts';
