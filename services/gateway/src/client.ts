import { type ClientRequestOptions, hc } from 'hono/client';
import type { buildApp } from './app.ts';

/** The gateway's routes as a type: paths, parameters, request bodies and the responses each declares. */
export type GatewayApp = ReturnType<typeof buildApp>;

/**
 * A typed client for the app API (Hono's RPC client): every path, parameter and request
 * body is checked against the gateway's own route declarations at compile time, and each
 * response is typed by its status as the route declares it (the same declarations make the
 * OpenAPI document, for clients in other languages).
 *
 *   const haru = createHaruClient('https://api.haru.app', { headers: { authorization: `Bearer ${idToken}` } });
 *   const response = await haru.v1.families.$post({ json: { name, timezone, pushTime, member } });
 */
export const createHaruClient = (baseUrl: string, options?: ClientRequestOptions) => hc<GatewayApp>(baseUrl, options);
