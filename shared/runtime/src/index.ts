export { type RunningService, type ServiceDefinition, startDatabaseService } from './start-database-service.ts';
