import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

export interface RunningServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Serves a Hono app on Node's HTTP server; resolves once it is listening. */
export function serveApp(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  { port, host }: { port: number; host: string },
): Promise<RunningServer> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
      resolve({
        port: info.port,
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            if ('closeIdleConnections' in server) server.closeIdleConnections();
          }),
      });
    });
  });
}
