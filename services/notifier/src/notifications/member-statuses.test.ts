import assert from 'node:assert/strict';
import { it } from 'node:test';
import { memberStatuses } from './member-statuses.ts';

it('when a member has several devices, then the member counts as reached if any device was', () => {
  assert.deepEqual(
    memberStatuses([
      { memberId: 'mom', status: 'invalid' },
      { memberId: 'mom', status: 'sent' },
      { memberId: 'kid', status: 'failed' },
      { memberId: 'kid', status: 'pending' },
    ]),
    [
      { memberId: 'mom', status: 'sent' },
      { memberId: 'kid', status: 'pending' },
    ],
  );
});
