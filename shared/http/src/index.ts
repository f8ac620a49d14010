export { healthRoutes } from './health-routes.ts';
export type { CorrelationVariables } from './observe-requests.ts';
export { observedApp } from './observed-app.ts';
export { jsonBody, problemHandler, problemJson, problemOf, requireJsonMediaType } from './problem.ts';
export { type CallerVariables, requireCaller } from './require-caller.ts';
export { requireServiceToken, serviceTokenHeader } from './require-service-token.ts';
export { runUntilSignalled } from './run-until-signalled.ts';
export { keepAliveTimeoutMs, type RunningServer, serveApp } from './serve-app.ts';
export {
  type ServiceCall,
  type ServiceClient,
  type ServiceResponse,
  serviceClient,
  serviceResponse,
} from './service-client.ts';
