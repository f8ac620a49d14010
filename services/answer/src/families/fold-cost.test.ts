import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evolveFamily, type FamilyEvent, type FamilyState, initialFamilyState } from './family.ts';

// A fold costs what its events do: folding ten times the events costs about ten times the
// work, never a hundred (an evolve that copies what grows with the stream is quadratic).
// Work is counted, not timed: every read the evolve makes of the state it is given (a
// property, an array element, a key listing), through a proxy that counts them.

/** Wraps `value` so that every read of it, or of anything reached through it, is counted. */
function counted<Value>(value: Value, counter: { reads: number }, proxies = new WeakMap<object, object>()): Value {
  if (typeof value !== 'object' || value === null) return value;
  const known = proxies.get(value);
  if (known) return known as Value;
  const proxy = new Proxy(value, {
    get(target, key, receiver) {
      counter.reads++;
      return counted(Reflect.get(target, key, receiver), counter, proxies);
    },
    has(target, key) {
      counter.reads++;
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      counter.reads++;
      return Reflect.ownKeys(target);
    },
    getOwnPropertyDescriptor(target, key) {
      counter.reads++;
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
  });
  proxies.set(value, proxy);
  proxies.set(proxy, proxy);
  return proxy as Value;
}

/** The reads of the state made by folding `events`. */
function readsToFold(events: readonly FamilyEvent[]): number {
  const counter = { reads: 0 };
  const proxies = new WeakMap<object, object>();
  let state: FamilyState = initialFamilyState();
  for (const event of events) state = evolveFamily(counted(state, counter, proxies), event);
  return counter.reads;
}

const at = '2026-01-01T00:00:00.000Z';
const member = (index: number): FamilyEvent => ({
  type: 'MemberJoined',
  data: {
    memberId: `m-${index}`,
    uid: `uid-${index}`,
    role: index === 0 ? 'parent' : 'child',
    displayName: `Member ${index}`,
    locale: 'ko',
    joinedAt: at,
  },
});

/** A family of four and `days` days of its life: a question a day, now and then a moved one or a change. */
function familyOfAge(days: number): FamilyEvent[] {
  const events: FamilyEvent[] = [
    {
      type: 'FamilyCreated',
      data: {
        familyId: 'f',
        name: 'Kims',
        inviteCode: 'ABCDEFGH',
        timezone: 'Asia/Seoul',
        pushTime: '20:00',
        quietHours: null,
        createdAt: at,
      },
    },
    ...[0, 1, 2, 3].map(member),
  ];
  for (let day = 0; day < days; day++) {
    const localDate = new Date(Date.parse(at) + day * 86_400_000).toISOString().slice(0, 10);
    const question = {
      questionId: `q-${day}`,
      localDate,
      text: { ko: '질문', en: 'A question' },
      openedAt: at,
      requiredMemberIds: ['m-0', 'm-1', 'm-2', 'm-3'],
      timedBy: at,
    };
    events.push({ type: 'QuestionOpened', data: { ...question, day } });
    if (day % 30 === 0) events.push({ type: 'QuestionRescheduled', data: { ...question, openedAt: localDate } });
    if (day % 50 === 0) {
      events.push({
        type: 'MemberPreferencesChanged',
        data: { memberId: 'm-1', displayName: `Jun ${day}`, locale: 'en', mutedKinds: [], changedAt: at },
      });
    }
  }
  return events;
}

describe('folding a family', () => {
  test('when a family is ten times older, then folding it costs at most twenty times the work', () => {
    const young = readsToFold(familyOfAge(100));
    const old = readsToFold(familyOfAge(1000));
    assert.ok(young > 0);
    assert.ok(
      old <= 20 * young,
      `folding 10× the days took ${(old / young).toFixed(1)}× the reads (${young} → ${old})`,
    );
  });

  test('when the count is made of a quadratic fold, then it shows (the measure can fail)', () => {
    // An evolve that copies every event so far, as one that kept every question did.
    const copying = (events: readonly FamilyEvent[]) => {
      const counter = { reads: 0 };
      let history: FamilyEvent[] = [];
      for (const event of events) history = [...counted(history, counter), event];
      return counter.reads;
    };
    assert.ok(copying(familyOfAge(1000)) > 20 * copying(familyOfAge(100)));
  });
});
