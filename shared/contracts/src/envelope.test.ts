import assert from 'node:assert/strict';
import { test } from 'node:test';
import { envelopeSchema, newEventId } from './envelope.ts';

test('when many event ids are made at once, then each is a UUID v7 and each sorts after the one before', () => {
  const ids = Array.from({ length: 5_000 }, newEventId);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  for (let index = 1; index < ids.length; index += 1) {
    assert.ok((ids[index] as string) > (ids[index - 1] as string), `${ids[index]} after ${ids[index - 1]}`);
  }
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(envelopeSchema.shape.id.safeParse(ids[0]).success);
});

test('when an event id is made, then its first 48 bits are the creation time in milliseconds', () => {
  const before = Date.now();
  const id = newEventId();
  const millis = Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
  assert.ok(millis >= before && millis <= Date.now() + 1, `${millis} within [${before}, now]`);
});
