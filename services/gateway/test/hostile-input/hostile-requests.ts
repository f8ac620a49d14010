// Generators of hostile requests to the gateway and to every service's internal API.
// Each generated request says what its response must be. Four families of them:
// `unauthenticated`, `refusedWrites` and `readsAndStrayRequests` can never change state
// (refused by construction, or reads); `anything` may be accepted and change state.
import { callerUidHeader, correlationIdHeader } from '@haru/contracts';
import type { ServiceName } from '@haru/dev-stack';
import { serviceTokenHeader } from '@haru/http';
import fc from 'fast-check';
import type { WireRequest } from './http-exchange.ts';
import {
  type FuzzFixture,
  gatewayRoutes,
  healthRoutes,
  internalRoutes,
  newDeviceToken,
  type Parameter,
  parametersOf,
  type Route,
} from './routes.ts';

export interface FuzzTargets {
  fixture: FuzzFixture;
  urls: Record<ServiceName, string>;
  /** ID tokens of signed-in users (members of the fixture's family and one who is not). */
  validTokens: string[];
  /** Tokens that must be refused: malformed, forged, with wrong claims. */
  invalidTokens: string[];
  internalApiToken: string;
  maxBodyBytes: number;
}

/**
 * What a response must be, besides never a 5xx and never revealing internals:
 * - `statuses`: exactly one of these (a request without a valid credential);
 * - `refused`: any 4xx;
 * - `any`: anything else below 500 (reads, and requests that may be accepted).
 */
export type Expectation = { statuses: number[] } | 'refused' | 'any';

export interface HostileRequest {
  /** What kind of hostility, for failure messages. */
  kind: string;
  request: WireRequest;
  expect: Expectation;
}

// --- strings, path segments and query strings ---------------------------------------

const nastyStrings = fc.constantFrom(
  '',
  ' ',
  '\t',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00',
  '\u202eevil',
  '\ufeff',
  '😀',
  '👨‍👩‍👧‍👦',
  '가족',
  'ǅ̴̡̛',
  "' OR '1'='1",
  '"; drop table events; --',
  '<script>alert(1)</script>',
  // A log4j-style lookup, written so that it is not a template placeholder.
  '$' + '{jndi:ldap://x}',
  '{{7*7}}',
  '%s%n%x',
  '../../etc/passwd',
  '\\..\\..\\',
  '\r\n',
  'null',
  'NaN',
  '-1',
  '1e309',
  '__proto__',
  'constructor',
  'toString',
  'true',
);

/** Strings a client should never send: control characters, broken UTF-16, injections, sizes. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: nastyStrings },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 2001, maxLength: 4000 }) },
);

const segmentText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.uuid() },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '..',
      '.',
      '...',
      '%2e%2e',
      '%2E.',
      '.%2e',
      '%2F',
      '%252F',
      '%00',
      '%FF',
      '%',
      '%zz',
      '%C0%AE',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 300, maxLength: 3000 }) },
);

/** Percent-encodes every byte of the UTF-8 form except the unreserved characters. */
const percentEncode = (value: string): string =>
  [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

/** Leaves visible ASCII as it is (slashes, `?`, `#`, `%`, backslashes); encodes the rest. */
const rawEncode = (value: string): string =>
  [...value].map((char) => (/^[\x21-\x7e]$/.test(char) ? char : percentEncode(char))).join('');

/** A path segment and whether it was sent raw (then the path may mean something else after normalisation). */
export type Segment = { text: string; raw: boolean };

export const hostileSegment: fc.Arbitrary<Segment> = fc.oneof(
  { weight: 3, arbitrary: segmentText.map((text) => ({ text: percentEncode(text), raw: false })) },
  { weight: 1, arbitrary: segmentText.map((text) => ({ text: percentEncode(percentEncode(text)), raw: false })) },
  { weight: 2, arbitrary: segmentText.map((text) => ({ text: rawEncode(text), raw: true })) },
);

const hostileQuery: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom('after', 'limit', 'until', 'uid'), hostileString), hostileString), {
    maxLength: 3,
  })
  .map((pairs) => pairs.map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`).join('&'));

// --- bodies ---------------------------------------------------------------------------

export interface Body {
  bytes?: Buffer | undefined;
  contentType?: string | undefined;
  chunked?: boolean;
  what: string;
}

const jsonTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/problem+json',
  'application/vnd.haru+json; version=1',
);
const notJsonTypes = fc.constantFrom(
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/jsonp',
  'application/octet-stream',
  'json',
  '*/*',
  'application/',
  'ÿ/json',
);

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
const plainJson = (value: unknown): Body => ({ bytes: json(value), contentType: 'application/json', what: '' });

/** A value no field of the app API accepts: every field is a string, an object or null. */
const wrongType = fc.oneof(
  fc.integer(),
  // NaN and Infinity would be written as null, which quietHours accepts.
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
);

/**
 * Every path to a member of a JSON object, its objects' and arrays' members too, e.g.
 * ['member', 'role'] or ['answers', '0', 'text'].
 */
function leafPaths(value: Record<string, unknown>, prefix: string[] = []): string[][] {
  return Object.entries(value).flatMap(([key, child]) =>
    child !== null && typeof child === 'object'
      ? [[...prefix, key], ...leafPaths(child as Record<string, unknown>, [...prefix, key])]
      : [[...prefix, key]],
  );
}

const valueAt = (value: Record<string, unknown>, path: string[]): unknown =>
  path.reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], value);

const jsonKind = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

function withValueAt(value: Record<string, unknown>, path: string[], replacement: unknown): Record<string, unknown> {
  const [key, ...rest] = path;
  if (key === undefined) return value;
  // An array stays one (a removed element is a hole, which JSON writes as null).
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<string, unknown>;
  if (rest.length === 0) {
    if (replacement === undefined) delete copy[key];
    else copy[key] = replacement;
  } else {
    copy[key] = withValueAt(copy[key] as Record<string, unknown>, rest, replacement);
  }
  return copy;
}

/** A JSON object's text with one more member, written as text so that `__proto__` stays a plain key. */
const withExtraMember = (value: Record<string, unknown>, key: string, extra: unknown): Buffer => {
  const text = JSON.stringify(value);
  const member = `${JSON.stringify(key)}:${JSON.stringify(extra) ?? 'null'}`;
  return Buffer.from(text === '{}' ? `{${member}}` : `${text.slice(0, -1)},${member}}`, 'utf8');
};

const nested = (depth: number, kind: 'array' | 'object') =>
  kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

// A byte order mark before the text is not among them: RFC 8259 lets a parser ignore it, and
// the Fetch API's UTF-8 decoding does, so `\ufeff{}` is `{}` (a body some routes take). One
// after the text is not JSON whitespace.
const notJsonBytes = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc
    .constantFrom('{', '{"name": "Kim"', "{'a': 1}", '{"a": 1,}', '[1, 2', 'undefined', 'NaN', '{"a": 01}', '{}\ufeff')
    .map((text) => Buffer.from(text, 'utf8')),
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? 'null', 'utf16le')),
);

/**
 * Bodies that no route accepts: JSON of the wrong shape (one member of the wrong type,
 * a required member missing, an unknown member), not an object, not JSON, empty, deeply
 * nested, far too large, or sent as another media type.
 */
/** Members any body may go without: each has a default. */
const leftOutByDefault: readonly string[] = ['quietHours', 'locale', 'reminderOffsetMinutes'];

export const invalidBody = (
  shape: fc.Arbitrary<Record<string, unknown>>,
  maxBodyBytes: number,
  /** Members a body may go without (left out of "a required member missing"). */
  optional: readonly string[] = leftOutByDefault,
): fc.Arbitrary<Body> =>
  fc.oneof(
    fc.tuple(shape, fc.nat(), wrongType, jsonTypes).map(([value, pick, candidate, contentType]) => {
      const paths = leafPaths(value);
      const path = paths[pick % paths.length] ?? [];
      // A replacement of the member's own kind (an empty list for a list) is no wrong type.
      const replacement = jsonKind(candidate) === jsonKind(valueAt(value, path)) ? 'not-this-kind' : candidate;
      // A body with no member to change (every one optional, none sent) is wrapped instead.
      return {
        bytes: json(path.length === 0 ? [value] : withValueAt(value, path, replacement)),
        contentType,
        what: path.length === 0 ? 'wrapped in an array' : `${path.join('.')} of the wrong type`,
      };
    }),
    fc.tuple(shape, fc.nat(), jsonTypes).map(([value, pick, contentType]) => {
      const required = leafPaths(value).filter((path) => !path.some((member) => optional.includes(String(member))));
      const path = required[pick % required.length] ?? [];
      return {
        bytes: json(path.length === 0 ? [value] : withValueAt(value, path, undefined)),
        contentType,
        what: path.length === 0 ? 'wrapped in an array' : `without ${path.join('.')}`,
      };
    }),
    fc
      .tuple(
        shape,
        fc.oneof(fc.constantFrom('__proto__', 'constructor', 'admin', 'uid', 'familyId'), hostileString),
        fc.jsonValue({ maxDepth: 2 }),
        jsonTypes,
      )
      .filter(([value, key]) => !Object.hasOwn(value, key) && !leftOutByDefault.includes(key))
      .map(([value, key, extra, contentType]) => ({
        bytes: withExtraMember(value, key, extra),
        contentType,
        what: `with an unknown member ${JSON.stringify(key).slice(0, 40)}`,
      })),
    fc
      .tuple(
        fc.oneof(fc.array(fc.jsonValue({ maxDepth: 2 })), fc.string(), fc.double(), fc.boolean(), fc.constant(null)),
        jsonTypes,
      )
      .map(([value, contentType]) => ({ bytes: json(value), contentType, what: 'not an object' })),
    fc.tuple(notJsonBytes, jsonTypes).map(([bytes, contentType]) => ({ bytes, contentType, what: 'not JSON' })),
    jsonTypes.map((contentType) => ({ bytes: Buffer.alloc(0), contentType, what: 'empty' })),
    fc
      .tuple(fc.integer({ min: 100, max: 20_000 }), fc.constantFrom('array' as const, 'object' as const), jsonTypes)
      .map(([depth, kind, contentType]) => ({
        bytes: Buffer.from(nested(depth, kind)),
        contentType,
        what: `${kind}s nested ${depth} deep`,
      })),
    fc
      .tuple(shape, fc.nat(), fc.integer({ min: 2001, max: maxBodyBytes * 4 }), jsonTypes, fc.boolean())
      .map(([value, pick, length, contentType, chunked]) => {
        const strings = leafPaths(value).filter((path) => typeof valueAt(value, path) === 'string');
        const path = strings[pick % strings.length];
        // A body with no string member (an empty list) carries the long string as an unknown member.
        return {
          bytes:
            path === undefined
              ? withExtraMember(value, 'padding', 'x'.repeat(length))
              : json(withValueAt(value, path, 'x'.repeat(length))),
          contentType,
          chunked,
          what: `${path?.join('.') ?? 'an unknown member'} ${length} long`,
        };
      }),
    fc.tuple(shape, fc.option(notJsonTypes, { nil: undefined })).map(([value, contentType]) => ({
      bytes: json(value),
      contentType,
      what: `sent as ${contentType ?? 'no media type'}`,
    })),
  );

/** Bodies of the expected shape, as they are or with one member changed to anything at all. */
export const anyBody = (shape: fc.Arbitrary<Record<string, unknown>>, maxBodyBytes: number): fc.Arbitrary<Body> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.tuple(shape, jsonTypes).map(([value, contentType]) => ({
        bytes: json(value),
        contentType,
        what: 'of the expected shape',
      })),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(shape, fc.nat(), fc.oneof(hostileString, fc.jsonValue({ maxDepth: 3 })), jsonTypes)
        .map(([value, pick, replacement, contentType]) => {
          const paths = leafPaths(value);
          const path = paths[pick % paths.length] ?? [];
          return {
            bytes: json(withValueAt(value, path, replacement)),
            contentType,
            what: `${path.join('.')} changed`,
          };
        }),
    },
    { weight: 2, arbitrary: invalidBody(shape, maxBodyBytes) },
  );

// --- headers ----------------------------------------------------------------------------

/** Header values Node's client can send: visible ASCII, spaces and Latin-1 beyond ASCII. */
const headerText = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }))
    .map((code) => String.fromCharCode(code)),
  maxLength: 300,
});

const idempotencyKey = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom('fuzz-key-1', 'fuzz-key-2') },
  { weight: 1, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,255}$/) },
  { weight: 2, arbitrary: fc.oneof(headerText, fc.constantFrom('', ' ', 'k'.repeat(256), 'clé', 'a b')) },
);

const extraHeaders = fc.record(
  {
    [callerUidHeader]: fc.oneof(headerText, fc.constant('someone-else')),
    [serviceTokenHeader]: headerText,
    [correlationIdHeader]: headerText,
    accept: fc.constantFrom('*/*', 'text/html', 'application/xml', ''),
    'accept-encoding': fc.constantFrom('gzip', 'br', 'identity', 'x'),
    'x-forwarded-for': fc.constantFrom('127.0.0.1', '::1', 'evil'),
  },
  { requiredKeys: [] },
);

const withoutUndefined = (headers: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));

// --- requests -------------------------------------------------------------------------

type Caller = { authorization?: string | undefined };

function gatewayCallers({ validTokens, invalidTokens }: FuzzTargets): {
  valid: fc.Arbitrary<Caller>;
  invalid: fc.Arbitrary<Caller>;
} {
  const valid = fc
    .tuple(fc.constantFrom(...validTokens), fc.constantFrom('Bearer', 'bearer', 'BEARER'))
    .map(([token, scheme]) => ({ authorization: `${scheme} ${token}` }));
  const first = validTokens[0] ?? '';
  const invalid = fc.oneof(
    fc.constant({ authorization: undefined }),
    fc.constantFrom(...invalidTokens).map((token) => ({ authorization: `Bearer ${token}` })),
    fc
      .constantFrom(
        '',
        'Bearer',
        'Bearer ',
        `Basic ${Buffer.from('a:b').toString('base64')}`,
        `Token ${first}`,
        `Bearer ${first} ${first}`,
        `Bearer\t${first}`,
        `${first}`,
      )
      .map((authorization) => ({ authorization })),
    headerText.map((text) => ({ authorization: `Bearer ${text}` })),
  );
  return { valid, invalid };
}

function serviceCredentials({ internalApiToken }: FuzzTargets): {
  valid: fc.Arbitrary<string>;
  invalid: fc.Arbitrary<string | undefined>;
} {
  const flipped = `${internalApiToken.slice(0, -1)}${internalApiToken.endsWith('A') ? 'B' : 'A'}`;
  return {
    valid: fc.constant(internalApiToken),
    invalid: fc.oneof(
      fc.constant(undefined),
      fc.constantFrom(
        '',
        flipped,
        internalApiToken.slice(0, -1),
        `${internalApiToken}x`,
        internalApiToken.toUpperCase(),
        `Bearer ${internalApiToken}`,
      ),
      headerText.filter((text) => text.trim() !== internalApiToken),
    ),
  };
}

interface Parts {
  route: Route;
  segments: Partial<Record<Parameter, Segment>>;
  query?: string | undefined;
  body?: Body | undefined;
  headers: Record<string, string>;
}

function toRequest(targets: FuzzTargets, { route, segments, query, body, headers }: Parts): WireRequest {
  const path = route.path.replace(/:(\w+)/g, (_, name: Parameter) => segments[name]?.text ?? name);
  return {
    baseUrl: targets.urls[route.service],
    method: route.method,
    path: query ? `${path}?${query}` : path,
    headers: withoutUndefined({ ...headers, 'content-type': body?.contentType }),
    body: body?.bytes,
    chunked: body?.chunked ?? false,
  };
}

/** Path parameters: the fixture's real ones, or hostile ones. */
function segmentsFor(
  route: Route,
  fixture: FuzzFixture,
  hostileOnly: boolean,
): fc.Arbitrary<Partial<Record<Parameter, Segment>>> {
  const parameters = parametersOf(route);
  const one = (name: Parameter): fc.Arbitrary<Segment> => {
    const real = route.realValue?.[name];
    const fresh = name === 'token' ? newDeviceToken.map((text) => ({ text, raw: false })) : hostileSegment;
    if (hostileOnly || !real) return hostileSegment;
    return fc.oneof(
      { weight: 3, arbitrary: fc.constant({ text: encodeURIComponent(real(fixture)), raw: false }) },
      { weight: 2, arbitrary: fresh },
      { weight: 2, arbitrary: hostileSegment },
    );
  };
  return fc.record(
    Object.fromEntries(parameters.map((name) => [name, one(name)])) as Record<Parameter, fc.Arbitrary<Segment>>,
  );
}

const queryFor = (route: Route, fixture: FuzzFixture): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    route.query ? route.query(fixture).map((values) => new URLSearchParams(values).toString()) : fc.constant(undefined),
    hostileQuery,
  );

const anyRaw = (segments: Partial<Record<Parameter, Segment>>) =>
  Object.values(segments).some((segment) => segment?.raw);

/**
 * Requests without a valid credential, to every route: a gateway route without a valid
 * Firebase ID token, an internal route without the gateway's service credential.
 * Exactly 401 (413 for a gateway body over the limit: the size is checked first), unless
 * a raw path segment made the path mean another route; then any 4xx.
 */
export function unauthenticated(targets: FuzzTargets): fc.Arbitrary<HostileRequest> {
  const { fixture, maxBodyBytes } = targets;
  const callers = gatewayCallers(targets).invalid;
  const credentials = serviceCredentials(targets).invalid;
  const forRoute = (route: Route) =>
    fc
      .record({
        segments: segmentsFor(route, fixture, false),
        query: queryFor(route, fixture),
        body: route.body
          ? fc.option(anyBody(route.body(fixture), maxBodyBytes), { nil: undefined })
          : fc.constant(undefined),
        caller: callers,
        credential: credentials,
        uid: fc.option(fc.constantFrom(fixture.memberUid, 'someone'), { nil: undefined }),
        extra: extraHeaders,
      })
      .map(({ segments, query, body, caller, credential, uid, extra }): HostileRequest => {
        const gateway = route.service === 'gateway';
        const headers = gateway
          ? withoutUndefined({ ...extra, authorization: caller.authorization })
          : withoutUndefined({ ...extra, [serviceTokenHeader]: credential, [callerUidHeader]: uid });
        const request = toRequest(targets, { route, segments, query, body, headers });
        const tooLarge = gateway && (request.body?.length ?? 0) > maxBodyBytes;
        // Node refuses request lines and headers beyond 16 KiB itself (431).
        const tooLong = request.path.length > 8000;
        return {
          kind: `${route.method} ${route.path} ${gateway ? 'without a valid ID token' : 'without the service credential'}`,
          request,
          expect: anyRaw(segments) || tooLong ? 'refused' : { statuses: [tooLarge ? 413 : 401] },
        };
      });
  const routes = [...gatewayRoutes.filter((route) => route.path.startsWith('/v1/')), ...internalRoutes];
  return fc.oneof(...routes.map(forRoute));
}

/**
 * Writes by valid callers that cannot succeed: a body no schema accepts, an
 * Idempotency-Key that is not one, a family or question that does not exist, an
 * internal call acting for nobody. Any 4xx.
 */
export function refusedWrites(targets: FuzzTargets): fc.Arbitrary<HostileRequest> {
  const { fixture, maxBodyBytes } = targets;
  const caller = gatewayCallers(targets).valid;
  const credential = serviceCredentials(targets).valid;
  const identity = (route: Route) =>
    route.service === 'gateway'
      ? caller.map((c) => withoutUndefined({ authorization: c.authorization }))
      : credential.map((token) =>
          withoutUndefined({
            [serviceTokenHeader]: token,
            ...(route.actsForCaller ? { [callerUidHeader]: fixture.memberUid } : {}),
          }),
        );
  const writes = [...gatewayRoutes, ...internalRoutes].filter((route) => route.writes);
  const bodyRoutes = writes.filter((route): route is Route & Required<Pick<Route, 'body'>> => route.body !== undefined);

  const badBody = fc.oneof(
    ...bodyRoutes.map((route) =>
      fc
        .record({
          segments: segmentsFor(route, fixture, false),
          body: invalidBody(route.body(fixture), maxBodyBytes, route.optionalMembers),
          identity: identity(route),
        })
        .map(({ segments, body, identity }) => ({
          kind: `${route.method} ${route.path} with a body ${body.what}`,
          request: toRequest(targets, { route, segments, body, headers: identity }),
        })),
    ),
  );
  const createFamily = bodyRoutes.filter((route) => route.method === 'POST' && route.path.endsWith('/families'));
  const badIdempotencyKey = fc.oneof(
    ...createFamily.map((route) =>
      fc
        .record({
          body: route.body(fixture),
          key: fc.oneof(
            fc.constantFrom('', 'k'.repeat(256), 'clé', 'a b', '\t'),
            // As received: HTTP drops the spaces and tabs around a header's value.
            headerText.filter((text) => !/^[\x21-\x7e]{1,255}$/.test(text.replace(/^[ \t]+|[ \t]+$/g, ''))),
          ),
          identity: identity(route),
        })
        .map(({ body, key, identity }) => ({
          kind: `${route.method} ${route.path} with Idempotency-Key ${JSON.stringify(key).slice(0, 40)}`,
          request: toRequest(targets, {
            route,
            segments: {},
            body: plainJson(body),
            headers: { ...identity, 'idempotency-key': key },
          }),
        })),
    ),
  );
  // Writes to a family or question that does not exist (device tokens are free-form: no such guarantee there).
  const familyWrites = bodyRoutes.filter((route) => route.path.includes(':familyId'));
  const unknownTarget = fc.oneof(
    ...familyWrites.map((route) =>
      fc
        .record({ segments: segmentsFor(route, fixture, true), body: route.body(fixture), identity: identity(route) })
        .map(({ segments, body, identity }) => ({
          kind: `${route.method} ${route.path} of nothing that exists`,
          request: toRequest(targets, {
            route,
            segments,
            body: plainJson(body),
            headers: identity,
          }),
        })),
    ),
  );
  const joins = bodyRoutes.filter((route) => route.path.endsWith('/join'));
  const unknownInviteCode = fc.oneof(
    ...joins.map((route) =>
      fc
        .record({ body: route.body(fixture), code: fc.stringMatching(/^[A-Z2-9]{8}$/), identity: identity(route) })
        .filter(({ code }) => code !== fixture.inviteCode)
        .map(({ body, code, identity }) => ({
          kind: `${route.method} ${route.path} with an unknown invite code`,
          request: toRequest(targets, {
            route,
            segments: {},
            body: plainJson({ ...body, inviteCode: code }),
            headers: identity,
          }),
        })),
    ),
  );
  const actingForNobody = fc.oneof(
    ...writes
      .filter((route) => route.actsForCaller)
      .map((route) =>
        fc
          .record({
            segments: segmentsFor(route, fixture, false),
            body: route.body ? route.body(fixture) : fc.constant(undefined),
            uid: fc.constantFrom(undefined, '', 'u'.repeat(129)),
          })
          .map(({ segments, body, uid }) => ({
            kind: `${route.method} ${route.path} acting for ${uid === undefined ? 'nobody' : `a uid ${uid.length} long`}`,
            request: toRequest(targets, {
              route,
              segments,
              body: body && plainJson(body),
              headers: withoutUndefined({ [serviceTokenHeader]: targets.internalApiToken, [callerUidHeader]: uid }),
            }),
          })),
      ),
  );
  return fc
    .oneof(badBody, badIdempotencyKey, unknownTarget, unknownInviteCode, actingForNobody)
    .map((refused) => ({ ...refused, expect: 'refused' as const }));
}

/**
 * Reads by anyone of anything, methods no route has, and paths no route has: none can
 * change state (a stray DELETE may name a device token nobody has: 204, nothing changes).
 */
export function readsAndStrayRequests(targets: FuzzTargets): fc.Arbitrary<HostileRequest> {
  const { fixture } = targets;
  const { valid, invalid } = gatewayCallers(targets);
  const credentials = serviceCredentials(targets);
  const anyCaller = fc.oneof(valid, invalid);
  const anyCredential = fc.oneof(credentials.valid, credentials.invalid);
  const identity = (route: Route) =>
    fc
      .record({
        caller: anyCaller,
        credential: anyCredential,
        uid: fc.option(fc.constantFrom(fixture.memberUid, 'someone', ''), { nil: undefined }),
        extra: extraHeaders,
      })
      .map(({ caller, credential, uid, extra }) =>
        route.service === 'gateway'
          ? withoutUndefined({ ...extra, authorization: caller.authorization })
          : withoutUndefined({ ...extra, [serviceTokenHeader]: credential, [callerUidHeader]: uid }),
      );
  const reads = [...gatewayRoutes, ...internalRoutes, ...healthRoutes].filter((route) => !route.writes);
  const read = fc.oneof(
    ...reads.map((route) =>
      fc
        .record({
          segments: segmentsFor(route, fixture, false),
          query: queryFor(route, fixture),
          headers: identity(route),
          head: fc.boolean(),
        })
        .map(({ segments, query, headers, head }) => ({
          kind: `${head ? 'HEAD' : 'GET'} ${route.path}`,
          request: { ...toRequest(targets, { route, segments, query, headers }), method: head ? 'HEAD' : 'GET' },
          expect: 'any' as const,
        })),
    ),
  );
  // Methods no route declares, on every route's path: never routed to a handler.
  const strayMethod = fc.oneof(
    ...[...gatewayRoutes, ...internalRoutes].map((route) =>
      fc
        .record({
          segments: segmentsFor(route, fixture, false),
          headers: identity(route),
          method: fc.constantFrom('PATCH', 'OPTIONS', 'TRACE'),
        })
        .map(({ segments, headers, method }) => ({
          kind: `${method} ${route.path}`,
          request: { ...toRequest(targets, { route, segments, headers }), method },
          expect: 'refused' as const,
        })),
    ),
  );
  // Paths no route has: hostile segments under each service's prefixes.
  const services = Object.keys(targets.urls) as ServiceName[];
  const strayPath = fc
    .record({
      service: fc.constantFrom(...services),
      prefix: fc.constantFrom(
        '',
        '/v1',
        '/v1/families',
        '/v1/me',
        '/internal',
        '/internal/families',
        '/V1',
        '/INTERNAL',
      ),
      segments: fc.array(hostileSegment, { minLength: 1, maxLength: 4 }),
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
      caller: anyCaller,
      credential: anyCredential,
    })
    .map(({ service, prefix, segments, method, caller, credential }) => ({
      kind: `${method} a path no route has`,
      request: {
        baseUrl: targets.urls[service],
        method,
        path: `${prefix}/${segments.map((segment) => segment.text).join('/')}`,
        headers: withoutUndefined({ authorization: caller.authorization, [serviceTokenHeader]: credential }),
      },
      expect: 'any' as const,
    }));
  return fc.oneof(
    { weight: 4, arbitrary: read },
    { weight: 1, arbitrary: strayMethod },
    { weight: 2, arbitrary: strayPath },
  );
}

/**
 * Anything to any route with a valid or invalid caller: bodies of the expected shape or
 * with a member changed to anything, Idempotency-Keys (some repeated), real and hostile
 * parameters. Some are accepted and change state; none may fail or reveal internals.
 */
export function anything(targets: FuzzTargets): fc.Arbitrary<HostileRequest> {
  const { fixture, maxBodyBytes } = targets;
  const { valid, invalid } = gatewayCallers(targets);
  const credentials = serviceCredentials(targets);
  const forRoute = (route: Route) =>
    fc
      .record({
        segments: segmentsFor(route, fixture, false),
        query: fc.option(queryFor(route, fixture), { nil: undefined }),
        body: route.body ? anyBody(route.body(fixture), maxBodyBytes) : fc.constant(undefined),
        caller: fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: invalid }),
        credential: fc.oneof(
          { weight: 4, arbitrary: credentials.valid },
          { weight: 1, arbitrary: credentials.invalid },
        ),
        uid: fc.oneof(
          { weight: 4, arbitrary: fc.constant(fixture.memberUid) },
          { weight: 1, arbitrary: fc.option(headerText, { nil: undefined }) },
        ),
        key: idempotencyKey,
        extra: fc.option(extraHeaders, { nil: undefined }),
      })
      .map(({ segments, query, body, caller, credential, uid, key, extra }): HostileRequest => {
        const headers =
          route.service === 'gateway'
            ? withoutUndefined({ ...extra, authorization: caller.authorization, 'idempotency-key': key })
            : withoutUndefined({
                ...extra,
                [serviceTokenHeader]: credential,
                [callerUidHeader]: uid,
                'idempotency-key': key,
              });
        return {
          kind: `${route.method} ${route.path}${body ? ` with a body ${body.what}` : ''}`,
          request: toRequest(targets, { route, segments, query, body, headers }),
          expect: 'any',
        };
      });
  return fc.oneof(...[...gatewayRoutes, ...internalRoutes].map(forRoute));
}

/** Bytes that are not HTTP, or barely: each server must answer 4xx (or close), never hang or 5xx. */
export const brokenHttp: fc.Arbitrary<{ kind: string; bytes: Buffer }> = fc.oneof(
  fc
    .constantFrom(
      'GET /v1\\families HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /healthz HTTP/1.1\r\nHost: evil example\r\n\r\n',
      'GET /healthz HTTP/1.1\r\n\r\n',
      'BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n',
      'GET  HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /v1/families/\xff HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST /v1/families HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
      'POST /v1/families HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
      'POST /v1/families HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n',
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: ${'a'.repeat(20_000)}\r\n\r\n`,
      `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    )
    .map((text) => ({
      kind: `malformed request ${JSON.stringify(text.slice(0, 60))}`,
      bytes: Buffer.from(text, 'latin1'),
    })),
  fc
    .uint8Array({ minLength: 1, maxLength: 300 })
    .map((bytes) => ({ kind: 'random bytes', bytes: Buffer.concat([Buffer.from(bytes), Buffer.from('\r\n\r\n')]) })),
);
