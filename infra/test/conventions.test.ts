import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, serviceNames, services } from '@haru/dev-stack';

// docs/conventions.md is held to the code: each file it names exists, and every service
// follows the layout it describes.
const conventions = readFileSync(join(repoRoot, 'docs/conventions.md'), 'utf8');
const trackedFiles = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: repoRoot,
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => file !== '' && existsSync(join(repoRoot, file)));
const productionSources = trackedFiles.filter(
  (file) => /^services\/[^/]+\/src\/.*\.ts$/.test(file) && !file.endsWith('.test.ts') && !file.endsWith('.d.ts'),
);

describe('the conventions', () => {
  it('when docs/conventions.md names a file of haru, then it exists', () => {
    const named = [...conventions.matchAll(/`((?:services|shared|infra|docs)\/[\w./<>-]+\.ts)`/g)]
      .map((match) => match[1] ?? '')
      .filter((path) => !path.includes('<'));
    assert.ok(named.length >= 10, 'the conventions name real files as their examples');
    assert.deepEqual(
      named.filter((path) => !existsSync(join(repoRoot, path))),
      [],
    );
  });

  it('when a service is read, then it has the skeleton: config, service, main, index, and for a database its schema and migrations', () => {
    const missing = serviceNames.flatMap((name) => {
      const skeleton = ['config.ts', 'service.ts', 'main.ts', 'index.ts'];
      if (services[name].database) skeleton.push('database.ts', 'migrate.ts', 'migrations/index.ts');
      return skeleton.map((file) => `services/${name}/src/${file}`).filter((file) => !existsSync(join(repoRoot, file)));
    });
    assert.deepEqual(missing, []);
  });

  it('when a table is typed, then its type lives in a .table.ts file, and database.ts only assembles them', () => {
    const misplaced = productionSources.filter(
      (file) =>
        !file.endsWith('.table.ts') && /^export interface \w+Table\b/m.test(readFileSync(join(repoRoot, file), 'utf8')),
    );
    assert.deepEqual(misplaced, []);
  });

  it('when a file holds queries or routes, then it is named <row>.repository.ts or <resource>-routes.ts, and a routes file exports its routes only', () => {
    // The event store is a concept of its own (the answer service's streams), not a table's repository.
    const misnamed = productionSources.filter(
      (file) =>
        !file.includes('/migrations/') &&
        basename(file) !== 'event-store.ts' &&
        /(-repository|-store|\.routes)\.ts$/.test(basename(file)),
    );
    assert.deepEqual(misnamed, []);
    const routeFilesExportingMore = productionSources
      .filter((file) => file.endsWith('-routes.ts'))
      .filter((file) => [...readFileSync(join(repoRoot, file), 'utf8').matchAll(/^export /gm)].length !== 1);
    assert.deepEqual(routeFilesExportingMore, []);
  });
});
