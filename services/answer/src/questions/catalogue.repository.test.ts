import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createDatabase, type Database, migrateToLatest } from '@haru/db';
import { createTestDatabase } from '@haru/testing';
import { type AnswerDatabase, schema } from '../database.ts';
import { migrations } from '../migrations/index.ts';
import { bundledCatalogue, catalogueInUse, currentCatalogue } from './catalogue.repository.ts';

// The catalogue as data: imported with `npm run catalogue -- import <file>`, validated
// against the catalogue in use, and in use by the service within a minute.

let url: string;
let database: Database<AnswerDatabase>;
before(async () => {
  url = await createTestDatabase();
  database = createDatabase<AnswerDatabase>({ url, schema, poolSize: 2 });
  await migrateToLatest(database.db, schema, migrations);
});
after(() => database?.close());

const catalogueCommand = (...args: string[]) =>
  spawnSync(process.execPath, [new URL('./catalogue-cli.ts', import.meta.url).pathname, ...args], {
    env: { ...process.env, DATABASE_URL: url },
    encoding: 'utf8',
  });

/** The bundled catalogue with `more` questions added, as version `version`, in a file. */
function grownCatalogueFile(version: number, more: Array<{ ko: string; en: string }>): string {
  const shipped = bundledCatalogue();
  const last = Math.max(...shipped.questions.map((question) => question.id));
  const path = join(tmpdir(), `haru-catalogue-${version}-${process.pid}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      version,
      questions: [
        ...shipped.questions.map(({ id, text }) => ({ id, ...text })),
        ...more.map((question, index) => ({ id: last + index + 1, ...question })),
      ],
    }),
  );
  return path;
}

describe('the catalogue in the database', () => {
  test('when nothing was imported, then the catalogue bundled with the service is in use', async () => {
    assert.deepEqual(await catalogueInUse(database.db), bundledCatalogue());
    assert.match(catalogueCommand('show').stdout, /catalogue in use: version 1, \d{3} questions/);
  });

  test('when a grown catalogue is imported, then it is in use (for the service, within a minute), and the same version again is refused', async () => {
    const before = await currentCatalogue(database.db, 0);
    const path = grownCatalogueFile(bundledCatalogue().version + 1, [
      {
        ko: '오늘 가족에게 가장 들려주고 싶은 이야기는 무엇인가요?',
        en: 'Which story from today would you most like to tell the family?',
      },
    ]);
    const imported = catalogueCommand('import', path);
    assert.equal(imported.status, 0, imported.stderr);
    assert.match(imported.stdout, /imported catalogue version 2/);
    const inUse = await catalogueInUse(database.db);
    assert.equal(inUse.version, 2);
    assert.equal(inUse.questions.length, bundledCatalogue().questions.length + 1);
    // A process reads the catalogue again once its minute is up.
    assert.equal((await currentCatalogue(database.db, 30_000)).version, before.version);
    assert.equal((await currentCatalogue(database.db, 60_000)).version, 2);

    const again = catalogueCommand('import', path);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /version 2 is not newer than the catalogue in use \(version 2\)/);
  });

  test('when a file has problems, then nothing is imported and each problem is listed', async () => {
    const path = grownCatalogueFile(9, [
      { ko: '가장 좋아하는 음식과 그 이유는 무엇인가요?', en: 'A question in English only?' },
      { ko: 'Only English here', en: 'Only English here too' },
    ]);
    const refused = catalogueCommand('import', path);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /the same as question 7/);
    assert.match(refused.stderr, /\(ko\): not Korean/);
    assert.notEqual((await catalogueInUse(database.db)).version, 9);
    assert.equal(catalogueCommand('check', path).status, 1);
  });
});
