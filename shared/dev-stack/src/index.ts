export { type AuthEmulator, type AuthEmulatorOptions, startAuthEmulator } from './auth-emulator.ts';
export {
  createDatabaseIfMissing,
  type EmbeddedPostgresOptions,
  type RunningPostgres,
  redactUrl,
  startEmbeddedPostgres,
} from './embedded-postgres.ts';
export { type EventuallyOptions, eventually } from './eventually.ts';
export {
  type FcmEndpoint,
  type FcmEndpointOptions,
  type FcmMessage,
  type ReceivedFcmMessage,
  type RejectedFcmMessage,
  startFcmEndpoint,
} from './fcm-endpoint.ts';
export { freePort } from './free-port.ts';
export {
  describeExit,
  type ExitStatus,
  type LabelColor,
  type LaunchedProcess,
  type LaunchOptions,
  launchProcess,
  niceAutogroup,
} from './launch-process.ts';
export { type LocalAws, type LocalAwsOptions, startLocalAws } from './local-aws.ts';
export {
  freeServicePorts,
  type LaunchServiceOptions,
  launchService,
  migrateServices,
  repoRoot,
  runMigrations,
  type ServiceEnvironment,
  type ServiceName,
  type ServiceProcess,
  type StackParts,
  serviceEnvironment,
  serviceNames,
  servicePort,
  services,
  serviceUrl,
  waitUntilReady,
} from './services.ts';
export { loadStackSettings, stackSettingsShape } from './stack-settings.ts';
export { type WaitUntilServingOptions, waitUntilServing } from './wait-until-serving.ts';
