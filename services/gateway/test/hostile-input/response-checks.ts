import type { WireResponse } from './http-exchange.ts';

/**
 * What a response must never show: stack frames, source paths, SQL and PostgreSQL error
 * text, validation library dumps, internal addresses and headers.
 */
const leaks: Array<[string, RegExp]> = [
  ['a stack frame', /^\s*at \S/m],
  ['a stack frame', /\bat (async )?[\w$.<>]+ \(/],
  ['a source path', /\/src\//],
  ['a source location', /\.[cm]?[jt]s:\d+/],
  ['a dependency path', /node_modules/],
  ['a file URL', /file:\/\//],
  ['PostgreSQL error text', /\brelation "|\bcolumn "|syntax error at|invalid input syntax|duplicate key value/i],
  [
    'PostgreSQL error text',
    /violates .* constraint|invalid byte sequence|unsupported Unicode escape|out of range for type/i,
  ],
  [
    'PostgreSQL error text',
    /\bSQLSTATE\b|\bpg_\w+\(|\b(select|insert into|update|delete from) \S+ .*\b(from|where|values|set)\b/i,
  ],
  [
    'a validation library dump',
    /ZodError|"code"\s*:\s*"(invalid_type|too_big|too_small|invalid_format|invalid_value|custom)"/,
  ],
  ['an internal address', /\b127\.0\.0\.1:\d+|ECONNREFUSED|localhost:\d+/],
  ['an internal header', /x-haru-(service-token|uid)/i],
  ['a runtime error name', /\b(TypeError|RangeError|ReferenceError|AggregateError|URIError)\b/],
];

/** Extra members problem documents may carry (validation details), besides the RFC 9457 ones. */
const problemMembers = new Set(['type', 'title', 'status', 'detail', 'errors']);

export interface CheckedExchange {
  method: string;
  /** Everything the request said (path, headers, body), to tell a leak from an echo. */
  requestText: string;
  response: WireResponse;
  /** Secrets that must never come back (the internal credential). */
  secrets: readonly string[];
}

/**
 * Everything wrong with a response to a hostile request: a 5xx, a 4xx that is not an
 * RFC 9457 problem as `problemHandler` writes it, or anything revealing internals.
 * A pattern the request itself contained is not held against the response (it may be
 * echoed, e.g. an unknown field's name).
 */
export function responseViolations({ method, requestText, response, secrets }: CheckedExchange): string[] {
  const violations: string[] = [];
  const { status, headers, body } = response;
  if (status >= 500 || status < 100) violations.push(`status ${status}`);
  if (status >= 400 && status < 500) violations.push(...problemViolations(method, status, headers, body));

  const exposed = [body, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)].join('\n');
  for (const [what, pattern] of leaks) {
    if (pattern.test(exposed) && !pattern.test(requestText)) {
      violations.push(`reveals ${what}: ${pattern.exec(exposed)?.[0]}`);
    }
  }
  for (const secret of secrets) {
    if (exposed.includes(secret)) violations.push('reveals the internal credential');
  }
  for (const name of ['x-powered-by', 'server']) {
    if (headers[name] !== undefined) violations.push(`names its software in ${name}: ${headers[name]}`);
  }
  return violations;
}

function problemViolations(method: string, status: number, headers: Record<string, string>, body: string): string[] {
  const violations: string[] = [];
  if (headers['content-type'] !== 'application/problem+json') {
    violations.push(`a ${status} as ${headers['content-type'] ?? 'no content type'}, not application/problem+json`);
  }
  if (method === 'HEAD') return violations;
  let problem: unknown;
  try {
    problem = JSON.parse(body);
  } catch {
    return [...violations, `a ${status} whose body is not JSON: ${body.slice(0, 200)}`];
  }
  if (typeof problem !== 'object' || problem === null || Array.isArray(problem)) {
    return [...violations, `a ${status} whose body is not a problem document`];
  }
  const document = problem as Record<string, unknown>;
  if (
    typeof document.type !== 'string' ||
    !/^(https:\/\/haru\.app\/problems\/[a-z-]+|about:blank)$/.test(document.type)
  )
    violations.push(`problem type ${String(document.type)}`);
  if (typeof document.title !== 'string') violations.push('a problem without a title');
  if (typeof document.detail !== 'string') violations.push('a problem without a detail');
  if (document.status !== status) violations.push(`problem status ${String(document.status)} on a ${status}`);
  const unexpected = Object.keys(document).filter((member) => !problemMembers.has(member));
  if (unexpected.length > 0) violations.push(`problem members ${unexpected.join(', ')}`);
  if (document.errors !== undefined) {
    const wellFormed =
      status === 400 &&
      Array.isArray(document.errors) &&
      document.errors.every(
        (error) =>
          typeof error === 'object' &&
          error !== null &&
          Object.keys(error).every((key) => key === 'path' || key === 'message') &&
          typeof (error as { path?: unknown }).path === 'string' &&
          typeof (error as { message?: unknown }).message === 'string',
      );
    if (!wellFormed) violations.push(`problem errors ${JSON.stringify(document.errors).slice(0, 200)}`);
  }
  return violations;
}
