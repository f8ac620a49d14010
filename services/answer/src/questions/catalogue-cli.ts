// `npm run catalogue -- import <file>`: validates a question catalogue file against the
// catalogue in use and stores it as the newest version (the service uses it within a minute).
// `npm run catalogue -- check <file>`: validates it alone, without a database.
// `npm run catalogue -- show`: the version in use and its size.
// Reads DATABASE_URL; without it, that of the stack `npm start` runs.
import { readFileSync } from 'node:fs';
import { ConfigError, env, loadConfig, runCommand } from '@haru/config';
import { useSettingsOrLocalStack } from '@haru/config/local-stack';
import { checkDatabaseAnswers, createDatabase } from '@haru/db';
import { type AnswerDatabase, schema } from '../database.ts';
import { catalogueInUse, importCatalogue } from './catalogue.repository.ts';
import { validateCatalogue } from './catalogue-file.ts';

const [command, path] = process.argv.slice(2);
if (!(command === 'show' || ((command === 'import' || command === 'check') && path))) {
  console.error('usage: npm run catalogue -- import <file> | check <file> | show');
  process.exit(2);
}

const readFile = (file: string): unknown => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`);
  }
};

await runCommand(`catalogue ${command}`, async () => {
  if (command === 'check') {
    const catalogue = validateCatalogue(readFile(path as string));
    console.log(`${path}: version ${catalogue.version}, ${catalogue.questions.length} questions, no problems`);
    return;
  }
  useSettingsOrLocalStack(['DATABASE_URL']);
  const config = loadConfig({ ...env.database });
  const database = createDatabase<AnswerDatabase>({ url: config.DATABASE_URL, schema, poolSize: 1, job: 'catalogue' });
  try {
    await checkDatabaseAnswers(database);
    if (command === 'import') {
      const catalogue = await importCatalogue(database.db, readFile(path as string));
      console.log(`imported catalogue version ${catalogue.version}: ${catalogue.questions.length} questions`);
    } else {
      const catalogue = await catalogueInUse(database.db);
      console.log(`catalogue in use: version ${catalogue.version}, ${catalogue.questions.length} questions`);
    }
  } finally {
    await database.close();
  }
});
