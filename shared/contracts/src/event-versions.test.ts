import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEvent } from './create-event.ts';
import { currentVersion, parseEvent } from './events.ts';

const familyId = '0190b5a0-0000-7000-8000-000000000001';
const memberId = '0190b5a0-0000-7000-8000-000000000002';
const context = { occurredAt: new Date('2026-11-25T10:00:00Z'), correlationId: 'request-1', causationId: 'request-1' };

const memberJoinedV2 = () =>
  createEvent(
    'MemberJoined',
    familyId,
    { memberId, uid: 'uid-1', role: 'child', displayName: 'Min', locale: 'en' },
    context,
  );

/** MemberJoined as a producer of version 1 wrote it: no locale. */
const memberJoinedV1 = () => {
  const { locale: _, ...data } = memberJoinedV2().data;
  return { ...memberJoinedV2(), version: 1, data };
};

describe('event versions', () => {
  it('when an event is created, then it carries its type’s current version', () => {
    assert.equal(memberJoinedV2().version, 2);
    assert.equal(currentVersion('MemberJoined'), 2);
    assert.equal(createEvent('MemberLeft', familyId, { memberId }, context).version, 1);
  });

  it('when MemberJoined v1 arrives, then the edge upcasts it to v2 with the Korean locale, keeping the rest', () => {
    const v1 = memberJoinedV1();

    const parsed = parseEvent(v1);

    assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
    assert.equal(parsed.event.version, 2);
    assert.equal(parsed.event.id, v1.id, 'the same event: inboxes still deduplicate it');
    assert.deepEqual(parsed.event.data, { ...v1.data, locale: 'ko' });
  });

  it('when MemberJoined v2 arrives, then it passes unchanged', () => {
    const v2 = memberJoinedV2();

    const parsed = parseEvent(JSON.parse(JSON.stringify(v2)));

    assert.ok(parsed.ok);
    assert.deepEqual(parsed.event, v2);
  });

  it('when a v1 event is malformed by its own schema, then it is rejected naming that version', () => {
    const v1 = memberJoinedV1();

    const parsed = parseEvent({ ...v1, data: { ...v1.data, memberId: 'not-a-uuid' } });

    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? '' : parsed.reason, /bad MemberJoined v1 data/);
  });

  it('when a current-version event lacks a field that version requires, then it is rejected, not upcast', () => {
    const { data, ...envelope } = memberJoinedV2();
    const { locale: _, ...withoutLocale } = data;

    const parsed = parseEvent({ ...envelope, data: withoutLocale });

    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? '' : parsed.reason, /bad MemberJoined data/);
  });

  it('when a version newer than this build knows arrives, then it is rejected', () => {
    for (const event of [
      { ...memberJoinedV2(), version: 3 },
      { ...createEvent('MemberLeft', familyId, { memberId }, context), version: 2 },
    ]) {
      const parsed = parseEvent(event);

      assert.equal(parsed.ok, false);
      assert.match(parsed.ok ? '' : parsed.reason, /unsupported version/);
    }
  });

  it('when a schedule event from before families chose a reminder offset arrives, then it is read with the default offset, and a chosen offset is kept', () => {
    const schedule = { timezone: 'Asia/Seoul', pushTime: '20:00', quietHours: null, reminderOffsetMinutes: 90 };
    const chosen = createEvent('ScheduleChanged', familyId, schedule, context);
    const { reminderOffsetMinutes: _, ...before } = schedule;

    const old = parseEvent({ ...chosen, data: before });
    const current = parseEvent(JSON.parse(JSON.stringify(chosen)));

    assert.ok(old.ok && current.ok);
    assert.equal(old.event.version, 1, 'an optional field with a default: no new version');
    assert.deepEqual(old.event.data, { ...before, reminderOffsetMinutes: 180 });
    assert.deepEqual(current.event.data, schedule);
  });
});
