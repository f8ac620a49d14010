import assert from 'node:assert/strict';
import { it } from 'node:test';
import { uniqueTopologyPrefix } from './unique-topology-prefix.ts';

it('when prefixes are made, then each is new and a valid topology prefix', () => {
  const prefixes = Array.from({ length: 100 }, uniqueTopologyPrefix);

  assert.equal(new Set(prefixes).size, prefixes.length);
  for (const prefix of prefixes) assert.match(prefix, /^[a-z0-9-]{1,40}$/);
});
