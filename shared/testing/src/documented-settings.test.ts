import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadStackSettings, serviceNames, stackSettingsShape } from '@haru/dev-stack';

// The README's configuration table is what an operator reads; each service's config.ts, and
// npm start's stack-settings.ts, are what they apply. A default changed in one and not the
// other fails here.

/** The settings a service cannot start without, which therefore have no default to document. */
const required = {
  DATABASE_URL: 'postgres://haru@127.0.0.1:5432/haru',
  INTERNAL_API_TOKEN: 'a-credential-of-16-characters',
  FIREBASE_PROJECT_ID: 'demo-haru',
};

/** Each variable the table names, with its row's "default" cell. */
function documentedDefaults(): Map<string, string> {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('### LocalStack or real AWS'));
  const defaults = new Map<string, string>();
  for (const [, variables = '', defaultCell = ''] of table.matchAll(/^\| ([^|]+) \| [^|]+ \| ([^|]+) \|/gm)) {
    for (const [, name = ''] of variables.matchAll(/`([A-Z][A-Z0-9_]+)(?:=[^`]*)?`/g)) defaults.set(name, defaultCell);
  }
  return defaults;
}

/** What is wrong in the table about `applied`, the settings a process read with their values. */
function undocumented(documented: Map<string, string>, reader: string, applied: Array<[string, unknown]>): string[] {
  return applied.flatMap(([name, value]) => {
    const cell = documented.get(name);
    if (cell === undefined) return [`${name} is not in the table`];
    if (value === undefined) return [];
    // A number stands in its cell as a whole word (8083 in "8080 gateway, …, 8083 scheduler");
    // a name or word as written (`info`); an address is given by pattern (`http://127.0.0.1:808x`).
    const shown =
      typeof value === 'number'
        ? new RegExp(`(^|[^\\d])${value}([^\\d]|$)`).test(cell.replaceAll(',', ''))
        : typeof value !== 'string' || value.includes('://') || cell.includes(value);
    return shown ? [] : [`${name}: ${reader} applies ${JSON.stringify(value)}, the table says "${cell.trim()}"`];
  });
}

describe("the README's configuration table", () => {
  const documented = documentedDefaults();

  it('when npm start reads its settings, then the table names each, with the default it applies', () => {
    const applied = loadStackSettings({}) as Record<string, unknown>;
    assert.deepEqual(
      undocumented(
        documented,
        'npm start',
        Object.keys(stackSettingsShape).map((name) => [name, applied[name]]),
      ),
      [],
    );
  });

  for (const service of serviceNames) {
    it(`when the ${service} applies its defaults, then the table names each of its settings with that default`, async () => {
      const { loadServiceConfig } = (await import(
        new URL(`../../../services/${service}/src/config.ts`, import.meta.url).href
      )) as { loadServiceConfig: (source: NodeJS.ProcessEnv) => Record<string, unknown> };
      const applied = Object.entries(loadServiceConfig(required)).filter(([name]) => !(name in required));
      assert.ok(applied.length > 5, `${service} applies ${applied.length} defaults`);
      assert.deepEqual(undocumented(documented, service, applied), []);
    });
  }
});
