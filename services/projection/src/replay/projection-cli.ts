// `npm run projection:rebuild` / `npm run projection:verify`: replays the answer service's
// event feed into a copy of the completion model, then swaps it in (rebuild) or compares
// it with the live model (verify; exits 1 and prints the differences if they disagree).
// Safe to run while the service is consuming. Reads DATABASE_URL, ANSWER_URL and
// INTERNAL_API_TOKEN (and LOG_LEVEL, VERIFY_SETTLE_MS); with none of the three set, those
// of the stack `npm start` runs.
import { env, loadConfig, runCommand } from '@haru/config';
import { useSettingsOrLocalStack } from '@haru/config/local-stack';
import { checkDatabaseAnswers, createDatabase } from '@haru/db';
import { createLogger } from '@haru/observability';
import { z } from 'zod';
import { type ProjectionDatabase, schema } from '../database.ts';
import { eventFeed } from './event-feed.ts';
import { rebuild } from './rebuild.ts';
import { describeDifferences, verify } from './verify.ts';

const command = process.argv[2];
if (command !== 'rebuild' && command !== 'verify') {
  console.error('usage: node services/projection/src/replay/projection-cli.ts rebuild|verify');
  process.exit(2);
}

const loadSettings = () => {
  useSettingsOrLocalStack(['DATABASE_URL', 'ANSWER_URL', 'INTERNAL_API_TOKEN']);
  return loadConfig({
    ...env.logging,
    ...env.database,
    ...env.internalApi,
    ANSWER_URL: env.serviceUrl('http://127.0.0.1:8081'),
    /** How long verify lets the live model catch up before reporting a difference. */
    VERIFY_SETTLE_MS: z.coerce.number().int().min(0).default(10_000),
  });
};
// Interrupted, the replay still unregisters and drops its copy (see rebuild and verify).
const interrupted = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => interrupted.abort(signal));

await runCommand(`projection ${command}`, async () => {
  const config = loadSettings();
  const logger = createLogger('projection', config.LOG_LEVEL);
  const database = createDatabase<ProjectionDatabase>({ url: config.DATABASE_URL, schema, poolSize: 2, job: 'replay' });
  const feed = eventFeed({ answerUrl: config.ANSWER_URL, internalApiToken: config.INTERNAL_API_TOKEN });
  try {
    await checkDatabaseAnswers(database);
    if (command === 'rebuild') {
      const { replayed, announced } = await rebuild({ database, feed, logger, signal: interrupted.signal });
      console.log(`rebuilt the completion model from ${replayed} events; ${announced} completions announced late`);
      return 0;
    }
    const { replayed, differences } = await verify({
      database,
      feed,
      logger,
      settleMs: config.VERIFY_SETTLE_MS,
      signal: interrupted.signal,
    });
    if (differences.length === 0) {
      console.log(`the completion model matches a replay of ${replayed} events`);
      return 0;
    }
    console.log(`the completion model differs from a replay of ${replayed} events in ${differences.length} rows:`);
    for (const line of describeDifferences(differences)) console.log(line);
    return 1;
  } catch (error) {
    if (!interrupted.signal.aborted) throw error;
    console.error(`projection ${command}: interrupted (${interrupted.signal.reason})`);
    return 130;
  } finally {
    await database.close();
  }
});
