import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogger, createMetrics } from '@haru/observability';
import { eventually, metricSample } from '@haru/testing';
import { sql } from 'kysely';
import { migratedTestDatabase } from '../../test/support/migrated-test-database.ts';
import { insertPendingDeliveries } from '../../test/support/pending-deliveries.ts';
import type { ClaimedDelivery, DeliveryResult } from './delivery.repository.ts';
import { deliveryMetrics } from './delivery-metrics.ts';

// infra/ scales the notifier and alarms on these names (infra/src/due-deliveries.ts): a
// rename here without one there would silently leave the alarm on a metric that no longer comes.
describe('the delivery figures', () => {
  let database: Awaited<ReturnType<typeof migratedTestDatabase>>['database'];
  before(async () => {
    ({ database } = await migratedTestDatabase());
  });
  after(() => database?.close());

  it('when pushes were sent and others wait, then one line carries the backlog, the upcoming deliveries and the lateness', async () => {
    const now = new Date('2026-12-03T09:00:00Z');
    // Two due already, one due in a minute, one beyond the five minutes counted as upcoming.
    await insertPendingDeliveries(database.db, now, [
      { token: 'a', dueInMs: -1000 },
      { token: 'b', dueInMs: 0 },
      { token: 'c', dueInMs: 60_000 },
      { token: 'd', dueInMs: 600_000 },
    ]);

    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const metrics = deliveryMetrics({
      db: database.db,
      metrics: createMetrics('notifier'),
      logger: createLogger('notifier', 'info', destination),
      clock: () => now,
      cloudWatch: true,
      intervalMs: 20,
    });
    try {
      const sent = { dueAt: new Date(now.getTime() - 2500), kind: 'question' } as ClaimedDelivery;
      metrics.observeSent([sent], [{ status: 'sent' } as DeliveryResult], now);
      const line = await eventually(() => lines.find((entry) => entry.PushLatenessMaxSeconds !== undefined));
      assert.deepEqual(line._aws && (line._aws as { CloudWatchMetrics: unknown[] }).CloudWatchMetrics[0], {
        Namespace: 'haru',
        Dimensions: [['Service']],
        Metrics: [
          { Name: 'DueDeliveryBacklog', Unit: 'Count' },
          { Name: 'UpcomingDeliveries', Unit: 'Count' },
          { Name: 'PushLatenessP99Seconds', Unit: 'Seconds' },
          { Name: 'PushLatenessMaxSeconds', Unit: 'Seconds' },
        ],
      });
      assert.equal(line.Service, 'notifier');
      assert.equal(line.DueDeliveryBacklog, 2);
      assert.equal(line.UpcomingDeliveries, 1);
      assert.equal(line.PushLatenessP99Seconds, 2.5);
      assert.equal(line.PushLatenessMaxSeconds, 2.5);
    } finally {
      metrics.stop();
    }
  });

  /** One due delivery (`token`) and the figures counting it every `intervalMs`, read as a scrape reads them. */
  const scrapedFigures = async (now: Date, token: string, intervalMs: number) => {
    await database.db.deleteFrom('deliveries').execute();
    await insertPendingDeliveries(database.db, now, [{ token, dueInMs: -1000 }]);
    const metrics = createMetrics('notifier');
    const figures = deliveryMetrics({
      db: database.db,
      metrics,
      logger: createLogger('notifier', 'silent'),
      clock: () => now,
      cloudWatch: false,
      intervalMs,
    });
    const due = async () => metricSample(await metrics.metrics(), 'haru_deliveries_pending', { state: 'due' });
    return { figures, due };
  };

  it('when /metrics is scraped again within the interval, then the backlog counted for the first scrape is given', async () => {
    const now = new Date('2026-12-03T10:00:00Z');
    const { figures, due } = await scrapedFigures(now, 'first', 3000);
    try {
      assert.equal(await due(), 1);
      await insertPendingDeliveries(database.db, now, [{ token: 'second', dueInMs: -1000 }]);

      assert.equal(await due(), 1, 'not counted again within the interval');
      await eventually(async () => (await due()) === 2, { message: 'counted again after the interval' });
    } finally {
      figures.stop();
    }
  });

  it('when a count fails, then it is not kept: the next scrape counts again', async () => {
    const now = new Date('2026-12-03T11:00:00Z');
    const { figures, due } = await scrapedFigures(now, 'counted', 60_000);
    try {
      await sql`alter table deliveries rename to deliveries_away`.execute(database.db);
      await assert.rejects(due());
      await sql`alter table deliveries_away rename to deliveries`.execute(database.db);

      assert.equal(await due(), 1, 'counted again within the interval');
    } finally {
      await sql`alter table if exists deliveries_away rename to deliveries`.execute(database.db);
      figures.stop();
    }
  });
});
