import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFailure } from './run-command.ts';

describe('describeFailure', () => {
  it("when Node's connection to a name with two addresses fails, then both addresses' failures are said once each", () => {
    const refused = (address: string) =>
      Object.assign(new Error(`connect ECONNREFUSED ${address}`), { code: 'ECONNREFUSED' });
    const failure = new AggregateError([refused('::1:5432'), refused('127.0.0.1:5432'), refused('::1:5432')]);
    assert.equal(describeFailure(failure), 'connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432');
  });

  it('when the AWS SDK finds no credentials, then it says which settings provide them', () => {
    const failure = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    assert.equal(
      describeFailure(failure),
      'no AWS credentials found (Could not load credentials from any providers): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  });

  it('when an error has its own sentence, then that sentence is the line', () => {
    assert.equal(describeFailure(new Error('topic haru-events not found')), 'topic haru-events not found');
    assert.equal(describeFailure('a string thrown'), 'a string thrown');
  });
});
