// PostgreSQL's own CPU for each delivery a burst sends: the due-delivery sender's claims and
// records, alone, with the batches held as the sender holds them: each claim going on from
// the latest due key the round has claimed (`roundOfClaims`, what the sender does), beside
// each claim from the earliest due (the baseline, as before), with the bench stack's buffer
// cache (1 GB), and the sender's with initdb's (128 MB), in the same run (see
// docs/benchmarks.md).
//
//   node bench/due-deliveries/due-deliveries.bench.ts [--families 100000] [--quick]
//
// Each run gets an embedded PostgreSQL of its own (shared_buffers is read at start), the
// notifier's schema migrated and a burst as the notifier prepares it, written in SQL: one to
// three members a family with a device each (a token of an FCM token's length), the
// question, its notification and a pending delivery a device, all due now. Then the sender's
// statements on one connection, one after another, with no FCM between them. As at a burst's
// instant with the notifier's defaults, the batches its workers claim ahead are claimed
// first (4 × 10 of 500); then they are recorded sent, one after another, until each worker
// holds two (the one it sends, the one it records); then the drain: claim 500, record the
// oldest held. The connection's backend CPU (from /proc) is counted apart for the claims and
// the records.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandLine, wholeNumberOption } from '@haru/config';
import { createDatabase, migrateToLatest } from '@haru/db';
import { freePort, startEmbeddedPostgres } from '@haru/dev-stack';
import { type Kysely, sql } from 'kysely';
import { type NotifierDatabase, schema } from '../../services/notifier/src/database.ts';
import { migrations } from '../../services/notifier/src/migrations/index.ts';
import {
  type ClaimedDelivery,
  claimDueDeliveries,
  recordDeliveryResults,
  roundOfClaims,
} from '../../services/notifier/src/notifications/delivery.repository.ts';
import { senderDatabase } from '../../services/notifier/src/notifications/sender-database.ts';
import { maxMessagesPerSend } from '../../services/notifier/src/push/push-sender.ts';
import { processSeconds } from '../support/cpu.ts';
import { describeMachine } from '../support/machine.ts';
import { readProfile, sized } from '../support/profile.ts';
import { progressLog } from '../support/progress.ts';
import { writeResults } from '../support/results.ts';
import { notifierDefaults } from '../support/service-defaults.ts';
import { ratio, round } from '../support/stats.ts';

const { values: args } = commandLine('due-deliveries bench', {
  options: { families: { type: 'string' }, quick: { type: 'boolean', default: false } },
});
const families = wholeNumberOption('due-deliveries bench', 'families', args.families, {
  fallback: sized(readProfile(), { quick: 10_000, full: 100_000 }),
});
const log = progressLog('due-deliveries');
/** initdb's default, then the bench stack's (bench/support/bench-stack.ts). */
type BufferCache = '128MB' | '1GB';
/** Where each claim starts: the sender's, or the baseline's. */
type ClaimsFrom = 'the latest key' | 'the earliest';
/** Batches held at the instant: what the sender's workers claim ahead, with the defaults. */
const heldAhead = notifierDefaults.NOTIFIER_SEND_CONCURRENCY * notifierDefaults.NOTIFIER_BATCHES_AHEAD;
/** Batches held through the drain: each worker's one being sent and one being recorded. */
const heldInDrain = notifierDefaults.NOTIFIER_SEND_CONCURRENCY * 2;

/** A burst prepared, due now: the rows the notifier's handlers would have written. */
async function prepareBurst(db: Kysely<NotifierDatabase>, instant: Date): Promise<number> {
  // 167 characters, about an FCM registration token's length, unique to the device.
  const token = (uid: string) =>
    sql.raw(
      `md5(${uid}) || ':APA91b' || md5('a' || ${uid}) || md5('b' || ${uid}) || md5('c' || ${uid}) || md5('d' || ${uid})`,
    );
  await sql`
    insert into recipients (family_id, member_id, uid, locale, active, "left", updated_at)
    select md5('f' || f)::uuid, md5('m' || f || '-' || m)::uuid, 'uid-' || f || '-' || m,
           case when f % 2 = 0 then 'ko' else 'en' end, true, false, now()
    from generate_series(1, ${families}) f, generate_series(1, 3) m
    where m <= f % 3 + 1`.execute(db);
  await sql`
    insert into devices (token, uid, platform, active, last_seen_at, updated_at)
    select ${token('uid')}, uid, 'android', true, now(), now() from recipients`.execute(db);
  await sql`
    insert into questions (family_id, question_id, text_ko, text_en, opens_at, opens_version)
    select md5('f' || f)::uuid, md5('q' || f)::uuid, '오늘 가장 웃겼던 일은?', 'What made you laugh today?', ${instant}, now()
    from generate_series(1, ${families}) f`.execute(db);
  await sql`
    insert into notifications (notification_id, family_id, question_id, kind, created_at, due_at, cause_event_id, correlation_id)
    select md5('n' || f)::uuid, md5('f' || f)::uuid, md5('q' || f)::uuid, 'question', now(), ${instant},
           gen_random_uuid(), gen_random_uuid()
    from generate_series(1, ${families}) f`.execute(db);
  const { numAffectedRows } = await sql`
    insert into deliveries (notification_id, token, member_id, status, attempts, next_attempt_at, updated_at)
    select n.notification_id, d.token, r.member_id, 'pending', 0, ${instant}, now()
    from recipients r
    join devices d on d.uid = r.uid
    join notifications n on n.family_id = r.family_id`.execute(db);
  return Number(numAffectedRows ?? 0);
}

interface StatementCost {
  calls: number;
  /** The backend's CPU (user + system) for each delivery. */
  cpuMicrosPerDelivery: number;
  /** Wall time for each delivery, from the client (round trips included). */
  wallMicrosPerDelivery: number;
}

async function drainWith(sharedBuffers: BufferCache, claimsFrom: ClaimsFrom) {
  const root = await mkdtemp(join(tmpdir(), 'haru-bench-due-deliveries-'));
  // As root, PostgreSQL runs as the `postgres` user, which must enter this directory.
  await chmod(root, 0o755);
  const postgres = await startEmbeddedPostgres({
    dataDir: join(root, 'postgres'),
    port: await freePort(),
    settings: { shared_buffers: sharedBuffers },
  });
  try {
    const setup = createDatabase<NotifierDatabase>({ url: postgres.url, schema, poolSize: 1 });
    let deliveries: number;
    try {
      await migrateToLatest(setup.db, schema, migrations);
      log(`${sharedBuffers}: preparing ${families} families`);
      deliveries = await prepareBurst(setup.db, new Date(Date.now() - 1000));
    } finally {
      await setup.close();
    }
    // One connection, planned as the sender's are: the backend measured is this one.
    const sender = senderDatabase({ url: postgres.url, poolSize: 1 });
    try {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(sender.db);
      const backend = rows[0]?.pid ?? 0;
      const spent = { claim: { calls: 0, cpu: 0, wall: 0 }, record: { calls: 0, cpu: 0, wall: 0 } };
      const timed = async <T>(statement: keyof typeof spent, run: () => Promise<T>): Promise<T> => {
        const [cpu, wall] = [processSeconds(backend), performance.now()];
        const result = await run();
        spent[statement].cpu += processSeconds(backend) - cpu;
        spent[statement].wall += (performance.now() - wall) / 1000;
        spent[statement].calls += 1;
        return result;
      };
      log(`${sharedBuffers}, claims from ${claimsFrom}: draining ${deliveries} deliveries`);
      const claimNext =
        claimsFrom === 'the latest key'
          ? roundOfClaims(sender.db, {
              limit: maxMessagesPerSend,
              leaseMs: 60_000,
              aheadMs: 0,
              clock: () => new Date(),
            })
          : () => {
              const now = new Date();
              return claimDueDeliveries(sender.db, { now, until: now, limit: maxMessagesPerSend, leaseMs: 60_000 });
            };
      const claimBatch = () => timed('claim', claimNext);
      const recordSent = async (claimed: ClaimedDelivery[]) => {
        const results = claimed.map(({ notificationId, familyId, token, memberId }) => ({
          ...{ notificationId, familyId, token, memberId },
          ...{ status: 'sent' as const, errorCode: null, errorMessage: null, attempts: 1, nextAttemptAt: null },
        }));
        await timed('record', () => recordDeliveryResults(sender.db, results, new Date()));
        drained += claimed.length;
      };
      let drained = 0;
      const held: ClaimedDelivery[][] = [];
      while (held.length < heldAhead) {
        const claimed = await claimBatch();
        if (claimed.length === 0) break;
        held.push(claimed);
      }
      for (;;) {
        while (held.length > heldInDrain) await recordSent(held.shift() ?? []);
        const claimed = await claimBatch();
        if (claimed.length === 0) break;
        held.push(claimed);
      }
      for (const claimed of held) await recordSent(claimed);
      if (drained !== deliveries) throw new Error(`drained ${drained} of ${deliveries} deliveries`);
      const cost = ({ calls, cpu, wall }: { calls: number; cpu: number; wall: number }): StatementCost => ({
        calls,
        cpuMicrosPerDelivery: round((cpu * 1e6) / deliveries, 1),
        wallMicrosPerDelivery: round((wall * 1e6) / deliveries, 1),
      });
      const [claim, record] = [cost(spent.claim), cost(spent.record)];
      const result = {
        sharedBuffers,
        claimsFrom,
        deliveries,
        claim,
        record,
        cpuMicrosPerDelivery: round(claim.cpuMicrosPerDelivery + record.cpuMicrosPerDelivery, 1),
      };
      log(
        `${sharedBuffers}, claims from ${claimsFrom}: ${result.cpuMicrosPerDelivery} µs a delivery (claim ${claim.cpuMicrosPerDelivery}, record ${record.cpuMicrosPerDelivery})`,
      );
      return result;
    } finally {
      await sender.close();
    }
  } finally {
    await postgres.stop();
    await rm(root, { recursive: true, force: true });
  }
}

const configurations = [];
for (const [sharedBuffers, claimsFrom] of [
  ['1GB', 'the latest key'],
  ['1GB', 'the earliest'],
  ['128MB', 'the latest key'],
] as const) {
  configurations.push(await drainWith(sharedBuffers, claimsFrom));
}
const [sender, fromTheEarliest, initdbDefault] = configurations;
await writeResults('due-deliveries', {
  benchmark: 'due-deliveries',
  method:
    "PostgreSQL's backend CPU (/proc) for the due-delivery sender's claims of 500 and their records, one connection, one after another, no FCM, the batches held as the sender's workers hold them (40 ahead of the instant, 8 through the drain); claims from the round's latest due key (the sender's) or each from the earliest (the baseline); N families' deliveries prepared in SQL and due now; each configuration on a PostgreSQL of its own",
  machine: describeMachine(),
  families,
  heldBatches: { ahead: heldAhead, inDrain: heldInDrain },
  configurations,
  ratio: {
    cpuFromTheLatestKeyToTheEarliest:
      sender && fromTheEarliest ? ratio(sender.cpuMicrosPerDelivery, fromTheEarliest.cpuMicrosPerDelivery) : null,
    claimFromTheLatestKeyToTheEarliest:
      sender && fromTheEarliest
        ? ratio(sender.claim.cpuMicrosPerDelivery, fromTheEarliest.claim.cpuMicrosPerDelivery)
        : null,
    cpuWith1GBTo128MB:
      sender && initdbDefault ? ratio(sender.cpuMicrosPerDelivery, initdbDefault.cpuMicrosPerDelivery) : null,
  },
});
