import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '@haru/testing';
import { createDatabase, type Database } from './create-database.ts';
import { lockForTransaction } from './lock-for-transaction.ts';

let database: Database<unknown>;

before(async () => {
  database = createDatabase({ url: await createTestDatabase(), schema: 'locks', poolSize: 4 });
});
after(() => database?.close());

/** Runs `work` in a transaction that takes the lock first. */
const holding = (scope: string, keys: string[], work: () => Promise<void>) =>
  database.db.transaction().execute(async (trx) => {
    await lockForTransaction(trx, scope, keys);
    await work();
  });

describe('lockForTransaction', () => {
  it('when a second transaction locks a key the first holds, then it goes on only once the first has committed', async () => {
    const order: string[] = [];
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let firstLocked = () => {};
    const locked = new Promise<void>((resolve) => {
      firstLocked = resolve;
    });
    const first = holding('scheduler', ['family-a', 'family-b'], async () => {
      firstLocked();
      await released;
      order.push('first commits');
    });
    await locked;
    const second = holding('scheduler', ['family-b'], async () => {
      order.push('second locked');
    });
    // Another scope's key of the same name is not held by the first.
    await holding('projection', ['family-b'], async () => {
      order.push('other scope locked');
    });
    release();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['other scope locked', 'first commits', 'second locked']);
  });

  it('when two transactions lock the same keys in opposite orders, then neither waits for the other forever', async () => {
    const keys = Array.from({ length: 20 }, (_, index) => `family-${index}`);
    await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        holding('projection', index % 2 === 0 ? keys : [...keys].reverse(), async () => {}),
      ),
    );
  });
});
