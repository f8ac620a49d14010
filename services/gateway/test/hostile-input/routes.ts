import type { ServiceName } from '@haru/dev-stack';
import fc from 'fast-check';

/** The data a fuzz run's requests refer to: a family with a question open, and a device. */
export interface FuzzFixture {
  familyId: string;
  inviteCode: string;
  questionId: string;
  deviceToken: string;
  /** A member's uid, for internal calls made on their behalf. */
  memberUid: string;
}

export type Parameter = 'familyId' | 'questionId' | 'memberId' | 'token';

export interface Route {
  service: ServiceName;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path with `:parameter` placeholders, as the service's router declares it. */
  path: string;
  /** Whether an accepted request may change state. */
  writes: boolean;
  /** A body of the shape the route expects. */
  body?: (fixture: FuzzFixture) => fc.Arbitrary<Record<string, unknown>>;
  /** Members of the body it may go without (besides `quietHours`, `locale` and `reminderOffsetMinutes`). */
  optionalMembers?: readonly string[];
  /** Query parameters the route reads, with values of the expected shape. */
  query?: (fixture: FuzzFixture) => fc.Arbitrary<Record<string, string>>;
  /** Internal routes that act for an app user read the caller's uid from a header. */
  actsForCaller?: boolean;
  /** The parameter values that name real things in the fixture. */
  realValue?: Partial<Record<Parameter, (fixture: FuzzFixture) => string>>;
}

const localTime = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([hours, minutes]) => `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`);
const timezone = fc.constantFrom('Asia/Seoul', 'Europe/Berlin', 'America/New_York', 'UTC', 'Pacific/Chatham');
const quietHours = fc.option(fc.record({ start: localTime, end: localTime }), { nil: null });
const reminderOffsetMinutes = fc.integer({ min: 15, max: 720 });
const text = (maxLength: number) => fc.string({ minLength: 1, maxLength, unit: 'grapheme' });
const member = fc.record(
  { role: fc.constantFrom('parent', 'child'), displayName: text(50), locale: fc.constantFrom('ko', 'en') },
  { requiredKeys: ['role', 'displayName'] },
);
const platform = fc.constantFrom('android', 'ios', 'web');
/** Device tokens of the shape FCM issues (never the fixture's: it has another prefix). */
export const newDeviceToken = fc.stringMatching(/^fuzz-[A-Za-z0-9_:-]{8,40}$/);

const createFamilyBody = () =>
  fc.record(
    { name: text(50), timezone, pushTime: localTime, quietHours, reminderOffsetMinutes, member },
    { requiredKeys: ['name', 'timezone', 'pushTime', 'member'] },
  );
const joinBody = ({ inviteCode }: FuzzFixture) =>
  fc.record({ inviteCode: fc.oneof(fc.constant(inviteCode), fc.stringMatching(/^[A-Z2-9]{8}$/)), member });
const scheduleBody = () =>
  fc.record(
    { pushTime: localTime, timezone, quietHours, reminderOffsetMinutes },
    { requiredKeys: ['pushTime', 'timezone'] },
  );
const answerBody = () => fc.record({ text: text(2000) });
const role = fc.constantFrom('parent', 'child');
const inviteBody = () => fc.record({ role });
const roleChangeBody = () => fc.record({ role });
const renameBody = () => fc.record({ name: text(50) });
const preferencesBody = () =>
  fc.record(
    {
      displayName: text(50),
      locale: fc.constantFrom('ko', 'en'),
      mutedKinds: fc.uniqueArray(fc.constantFrom('reminder', 'complete'), { maxLength: 2 }),
    },
    { requiredKeys: [] },
  );
/** The role comes from the invite: a join may leave it out. */
const joinOptionalMembers = ['quietHours', 'locale', 'role'];
/** Every setting is optional: a body changes what it names. */
const preferenceMembers = ['displayName', 'locale', 'mutedKinds'];
const archiveQuery = () =>
  fc.record(
    {
      before: fc
        .date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
        .map((date) => date.toISOString().slice(0, 10)),
      limit: fc.integer({ min: 1, max: 50 }).map(String),
    },
    { requiredKeys: [] },
  );
/** The gateway's batch of answers: each names its family, question, caller and correlation id in the body. */
const answerBatchBody = ({ familyId, questionId, memberUid }: FuzzFixture) =>
  fc.record({
    answers: fc.array(
      fc.record({
        familyId: fc.constant(familyId),
        questionId: fc.constant(questionId),
        uid: fc.constant(memberUid),
        correlationId: fc.uuid(),
        text: text(2000),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  });

const family = { familyId: (fixture: FuzzFixture) => fixture.familyId };
const question = { ...family, questionId: (fixture: FuzzFixture) => fixture.questionId };
const device = { token: (fixture: FuzzFixture) => fixture.deviceToken };

/** The app API: every route the gateway serves (a test checks this list against the gateway's router). */
export const gatewayRoutes: Route[] = [
  { service: 'gateway', method: 'POST', path: '/v1/families', writes: true, body: createFamilyBody },
  {
    service: 'gateway',
    method: 'POST',
    path: '/v1/families/join',
    writes: true,
    body: joinBody,
    optionalMembers: joinOptionalMembers,
  },
  { service: 'gateway', method: 'GET', path: '/v1/families/:familyId', writes: false, realValue: family },
  {
    service: 'gateway',
    method: 'PATCH',
    path: '/v1/families/:familyId',
    writes: true,
    body: renameBody,
    realValue: family,
  },
  {
    service: 'gateway',
    method: 'PUT',
    path: '/v1/families/:familyId/schedule',
    writes: true,
    body: scheduleBody,
    realValue: family,
  },
  {
    service: 'gateway',
    method: 'GET',
    path: '/v1/families/:familyId/questions/current',
    writes: false,
    realValue: family,
  },
  {
    service: 'gateway',
    method: 'PUT',
    path: '/v1/families/:familyId/questions/:questionId/answer',
    writes: true,
    body: answerBody,
    realValue: question,
  },
  {
    service: 'gateway',
    method: 'GET',
    path: '/v1/families/:familyId/questions/:questionId',
    writes: false,
    realValue: question,
  },
  {
    service: 'gateway',
    method: 'GET',
    path: '/v1/families/:familyId/questions',
    writes: false,
    query: archiveQuery,
    realValue: family,
  },
  {
    service: 'gateway',
    method: 'POST',
    path: '/v1/families/:familyId/invites',
    writes: true,
    body: inviteBody,
    realValue: family,
  },
  {
    service: 'gateway',
    method: 'PATCH',
    path: '/v1/families/:familyId/members/me',
    writes: true,
    body: preferencesBody,
    optionalMembers: preferenceMembers,
    realValue: family,
  },
  { service: 'gateway', method: 'DELETE', path: '/v1/families/:familyId/members/me', writes: true, realValue: family },
  {
    service: 'gateway',
    method: 'DELETE',
    path: '/v1/families/:familyId/members/:memberId',
    writes: true,
    realValue: family,
  },
  {
    service: 'gateway',
    method: 'PATCH',
    path: '/v1/families/:familyId/members/:memberId',
    writes: true,
    body: roleChangeBody,
    realValue: family,
  },
  {
    service: 'gateway',
    method: 'PUT',
    path: '/v1/me/devices/:token',
    writes: true,
    body: () => fc.record({ platform }),
    realValue: device,
  },
  { service: 'gateway', method: 'DELETE', path: '/v1/me/devices/:token', writes: true, realValue: device },
  { service: 'gateway', method: 'GET', path: '/v1/me', writes: false },
  { service: 'gateway', method: 'GET', path: '/v1/me/export', writes: false },
  { service: 'gateway', method: 'DELETE', path: '/v1/me', writes: true },
  {
    service: 'gateway',
    method: 'GET',
    path: '/v1/families/:familyId/notifications',
    writes: false,
    realValue: family,
  },
  { service: 'gateway', method: 'GET', path: '/healthz', writes: false },
  { service: 'gateway', method: 'GET', path: '/readyz', writes: false },
  { service: 'gateway', method: 'GET', path: '/openapi.json', writes: false },
  { service: 'gateway', method: 'GET', path: '/docs', writes: false },
  { service: 'gateway', method: 'GET', path: '/metrics', writes: false },
];

const feedQuery = () =>
  fc.record(
    {
      after: fc.nat({ max: 50 }).map(String),
      limit: fc.integer({ min: 1, max: 1000 }).map(String),
      until: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
    },
    { requiredKeys: [] },
  );

/** Every service's internal API, behind the gateway's credential. */
export const internalRoutes: Route[] = [
  {
    service: 'answer',
    method: 'POST',
    path: '/internal/families',
    writes: true,
    actsForCaller: true,
    body: createFamilyBody,
  },
  {
    service: 'answer',
    method: 'POST',
    path: '/internal/families/join',
    writes: true,
    actsForCaller: true,
    body: joinBody,
    optionalMembers: joinOptionalMembers,
  },
  {
    service: 'answer',
    method: 'GET',
    path: '/internal/families/:familyId',
    writes: false,
    actsForCaller: true,
    realValue: family,
  },
  {
    service: 'answer',
    method: 'PATCH',
    path: '/internal/families/:familyId',
    writes: true,
    actsForCaller: true,
    body: renameBody,
    realValue: family,
  },
  {
    service: 'answer',
    method: 'GET',
    path: '/internal/families/:familyId/membership',
    writes: false,
    actsForCaller: true,
    realValue: family,
  },
  {
    service: 'answer',
    method: 'PUT',
    path: '/internal/families/:familyId/schedule',
    writes: true,
    actsForCaller: true,
    body: scheduleBody,
    realValue: family,
  },
  {
    service: 'answer',
    method: 'GET',
    path: '/internal/families/:familyId/questions/current',
    writes: false,
    actsForCaller: true,
    realValue: family,
  },
  {
    service: 'answer',
    method: 'GET',
    path: '/internal/families/:familyId/questions/:questionId',
    writes: false,
    actsForCaller: true,
    realValue: question,
  },
  {
    service: 'answer',
    method: 'GET',
    path: '/internal/families/:familyId/questions',
    writes: false,
    actsForCaller: true,
    query: archiveQuery,
    realValue: family,
  },
  {
    service: 'answer',
    method: 'POST',
    path: '/internal/families/:familyId/invites',
    writes: true,
    actsForCaller: true,
    body: inviteBody,
    realValue: family,
  },
  {
    service: 'answer',
    method: 'PATCH',
    path: '/internal/families/:familyId/members/me',
    writes: true,
    actsForCaller: true,
    body: preferencesBody,
    optionalMembers: preferenceMembers,
    realValue: family,
  },
  {
    service: 'answer',
    method: 'DELETE',
    path: '/internal/families/:familyId/members/me',
    writes: true,
    actsForCaller: true,
    realValue: family,
  },
  {
    service: 'answer',
    method: 'DELETE',
    path: '/internal/families/:familyId/members/:memberId',
    writes: true,
    actsForCaller: true,
    realValue: family,
  },
  {
    service: 'answer',
    method: 'PATCH',
    path: '/internal/families/:familyId/members/:memberId',
    writes: true,
    actsForCaller: true,
    body: roleChangeBody,
    realValue: family,
  },
  { service: 'answer', method: 'POST', path: '/internal/answers', writes: true, body: answerBatchBody },
  { service: 'answer', method: 'GET', path: '/internal/events', writes: false, query: feedQuery },
  { service: 'answer', method: 'GET', path: '/internal/accounts/me', writes: false, actsForCaller: true },
  { service: 'answer', method: 'GET', path: '/internal/accounts/me/export', writes: false, actsForCaller: true },
  { service: 'answer', method: 'POST', path: '/internal/accounts/me/erasure', writes: true, actsForCaller: true },
  {
    service: 'projection',
    method: 'GET',
    path: '/internal/families/:familyId/questions/:questionId/progress',
    writes: false,
    realValue: question,
  },
  {
    service: 'projection',
    method: 'GET',
    path: '/internal/families/:familyId/questions',
    writes: false,
    query: () => fc.record({ limit: fc.integer({ min: 1, max: 100 }).map(String) }, { requiredKeys: [] }),
    realValue: family,
  },
  {
    service: 'projection',
    method: 'GET',
    path: '/internal/families/:familyId/completions',
    writes: false,
    query: ({ questionId }) => fc.record({ questionIds: fc.constantFrom(questionId, `${questionId},${questionId}`) }),
    realValue: family,
  },
  {
    service: 'projection',
    method: 'POST',
    path: '/internal/questions/awaited-members',
    writes: false,
    body: ({ familyId, questionId }) =>
      fc.record({
        questions: fc.array(
          fc.record({ familyId: fc.oneof(fc.constant(familyId), fc.uuid()), questionId: fc.constant(questionId) }),
          { minLength: 1, maxLength: 3 },
        ),
      }),
  },
  { service: 'projection', method: 'GET', path: '/internal/metrics', writes: false },
  {
    service: 'scheduler',
    method: 'GET',
    path: '/internal/families/:familyId/schedule',
    writes: false,
    realValue: family,
  },
  {
    service: 'notifier',
    method: 'PUT',
    path: '/internal/devices/:token',
    writes: true,
    body: ({ memberUid }) => fc.record({ uid: fc.constantFrom(memberUid, 'fuzz-uid'), platform }),
    realValue: device,
  },
  {
    service: 'notifier',
    method: 'DELETE',
    path: '/internal/devices/:token',
    writes: true,
    query: ({ memberUid }) => fc.record({ uid: fc.constantFrom(memberUid, 'fuzz-uid') }),
    realValue: device,
  },
  {
    service: 'notifier',
    method: 'GET',
    path: '/internal/families/:familyId/notifications',
    writes: false,
    realValue: family,
  },
  { service: 'notifier', method: 'GET', path: '/internal/accounts/me/export', writes: false, actsForCaller: true },
  {
    service: 'notifier',
    method: 'POST',
    path: '/internal/accounts/me/erasure',
    writes: true,
    actsForCaller: true,
    body: ({ familyId }) =>
      fc.record({
        members: fc.array(fc.record({ familyId: fc.constant(familyId), memberId: fc.uuid() }), { maxLength: 2 }),
      }),
  },
];

/** The health checks every service answers without a credential. */
export const healthRoutes: Route[] = (['answer', 'projection', 'scheduler', 'notifier'] as const).flatMap((service) => [
  { service, method: 'GET' as const, path: '/healthz', writes: false },
  { service, method: 'GET' as const, path: '/readyz', writes: false },
]);

/** Every service's metrics, which take the internal credential too. */
export const metricsRoutes: Route[] = (['gateway', 'answer', 'projection', 'scheduler', 'notifier'] as const).map(
  (service) => ({ service, method: 'GET' as const, path: '/metrics', writes: false }),
);

export const parametersOf = (route: Route): Parameter[] =>
  [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1] as Parameter);
