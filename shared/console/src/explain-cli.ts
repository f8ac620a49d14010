// `npm run explain -- family <familyId>`: why did this family get (no) push today? Prints
// the answer from the services' records, then the family's timeline: its events, the due
// rows the scheduler fired and each delivery with FCM's answer. Reads DATABASE_URL
// (read-only); with it unset, the stack `npm start` runs.
import { env, loadConfig, runCommand } from '@haru/config';
import { useSettingsOrLocalStack } from '@haru/config/local-stack';
import { databaseFailure } from '@haru/db';
import { validate as isUuid } from 'uuid';
import { consoleReads } from './console-reads.ts';
import { explainFamily, familyTimeline } from './family-timeline.ts';

const usage = 'usage: npm run explain -- family <familyId>';

async function main(args: string[]): Promise<number> {
  const [subject, familyId, ...extra] = args;
  if (subject !== 'family' || !familyId || extra.length > 0) {
    console.error(usage);
    return 2;
  }
  if (!isUuid(familyId)) {
    console.error(`not a family id: ${familyId}\n${usage}`);
    return 2;
  }
  useSettingsOrLocalStack(['DATABASE_URL']);
  const config = loadConfig({ DATABASE_URL: env.database.DATABASE_URL });
  const reads = consoleReads(config.DATABASE_URL);
  try {
    const record = await reads.family(familyId);
    for (const line of explainFamily(record, new Date())) console.log(line);
    const timeline = familyTimeline(record);
    if (timeline.length > 0) console.log('\ntimeline:');
    for (const entry of timeline) {
      console.log(`  ${entry.at.toISOString()}  ${entry.source.padEnd(9)}  ${entry.what}  (${entry.detail})`);
    }
    return 0;
  } catch (error) {
    throw databaseFailure(config.DATABASE_URL, error);
  } finally {
    await reads.close();
  }
}

await runCommand('explain', () => main(process.argv.slice(2)));
