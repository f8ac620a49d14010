// What the gateway package offers to others: the app's typed client.
export { createHaruClient, type GatewayApp } from './client.ts';
