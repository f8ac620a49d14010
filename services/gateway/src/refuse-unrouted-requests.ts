import { problemJson } from '@haru/http';
import type { Context } from 'hono';

/**
 * What the gateway answers a request no route takes (its `notFound` handler): where the path
 * is a route's and only the method is wrong (GET /v1/me, which only DELETE takes), 405 with
 * the route's methods in `Allow`, so that a client's developer sees the mistake; else 404.
 * `routes` are the app's own (`app.routes`): the middleware among them (method ALL) takes
 * no request by itself and is passed over.
 */
export function refuseUnroutedRequests(routes: ReadonlyArray<{ method: string; path: string }>) {
  const methodsByPattern = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  for (const { method, path } of routes) {
    if (method === 'ALL') continue;
    const route = methodsByPattern.get(path) ?? { pattern: pathPattern(path), methods: new Set() };
    route.methods.add(method);
    methodsByPattern.set(path, route);
  }
  return (c: Context) => {
    const allowed = new Set(
      [...methodsByPattern.values()].flatMap(({ pattern, methods }) => (pattern.test(c.req.path) ? [...methods] : [])),
    );
    if (allowed.size === 0) return problemJson(c, 'not-found', 'no such route');
    const methods = [...allowed].sort().join(', ');
    c.header('Allow', methods);
    return problemJson(c, 'method-not-allowed', `this route takes ${methods}, not ${c.req.method}`);
  };
}

/** A route's path (`/v1/families/:familyId`) as a pattern of the paths it takes. */
const pathPattern = (path: string) =>
  new RegExp(
    `^${path
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/')}$`,
  );
