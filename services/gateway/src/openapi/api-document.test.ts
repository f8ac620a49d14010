// The app API's OpenAPI document, as the gateway serves it: complete enough to generate a
// client from, clean under a standard linter, and strict enough that a response which
// drifts from it fails the tests that check responses against it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '@haru/dev-stack';
import { documentedResponses } from '@haru/testing';
import { gatewayDocument } from '../generated-client/gateway-document.ts';
import { haruApiTypes, haruApiTypesFile } from '../generated-client/haru-api-types.ts';

interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: Array<{ name: string; in: string }>;
  responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }>;
}
const document = (await gatewayDocument()) as {
  info: { license?: { name: string } };
  servers?: unknown[];
  security?: unknown[];
  paths: Record<string, Record<string, Operation>>;
};
const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, path, operation })),
);

describe('the OpenAPI document', () => {
  test('when the document is linted with Redocly’s recommended rules, then it has no error and no warning', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'haru-openapi-'));
    try {
      const file = join(folder, 'openapi.json');
      await writeFile(file, JSON.stringify(document));
      const { stdout } = await promisify(execFile)(
        join(repoRoot, 'node_modules/.bin/redocly'),
        ['lint', file, '--config', join(repoRoot, 'services/gateway/redocly.yaml'), '--format', 'json'],
        { cwd: repoRoot, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
      ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
      const { totals, problems } = JSON.parse(stdout) as {
        totals: { errors: number; warnings: number };
        problems: Array<{ ruleId: string; message: string }>;
      };
      assert.deepEqual(
        problems.map(({ ruleId, message }) => `${ruleId}: ${message}`),
        [],
      );
      assert.deepEqual(totals, { ...totals, errors: 0, warnings: 0 });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  test('when an app team reads an operation, then it has an id, a summary, its path parameters and a schema for every body', () => {
    assert.equal(operations.length, 20);
    const gaps: string[] = [];
    for (const { name, path, operation } of operations) {
      if (!operation.operationId) gaps.push(`${name}: no operationId`);
      if (!operation.summary) gaps.push(`${name}: no summary`);
      for (const [, parameter] of path.matchAll(/\{(\w+)\}/g)) {
        if (!operation.parameters?.some(({ name, in: where }) => name === parameter && where === 'path')) {
          gaps.push(`${name}: path parameter ${parameter} not declared`);
        }
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (status === '204') continue;
        const content = Object.values(response.content ?? {});
        if (content.length === 0 || content.some((media) => !media.schema || media.example === undefined)) {
          gaps.push(`${name} ${status}: a body without a schema and an example`);
        }
      }
      for (const status of ['401', '429', '500', '503']) {
        if (!operation.responses[status]?.content?.['application/problem+json']) {
          gaps.push(`${name}: ${status} not declared as a problem`);
        }
      }
    }
    assert.deepEqual(gaps, []);
    assert.ok(document.info.license?.name);
    assert.ok(document.servers?.length);
    assert.deepEqual(document.security, [{ firebaseIdToken: [] }]);
  });

  test('when a response renames, drops or adds a field, or gives an undocumented status, then the check names it', () => {
    const violations = documentedResponses(document as never);
    const family = {
      familyId: '019ad8a8-6b2f-7c41-9e0a-3f5b1c2d4e6f',
      inviteCode: 'K7MZ2QXA',
      memberId: '019ad8a8-6b30-7d02-8a11-0b2c3d4e5f60',
    };
    const created = (body: unknown, status = 201, contentType = 'application/json') =>
      violations({ method: 'POST', path: '/v1/families', status, contentType, body: JSON.stringify(body) });
    assert.deepEqual(created(family), []);
    const { memberId, ...withoutMember } = family;
    assert.match(created({ ...withoutMember, memberID: memberId }).join(), /memberId|memberID/);
    assert.match(created(withoutMember).join(), /memberId/);
    assert.match(created({ ...family, admin: true }).join(), /additional properties/);
    assert.match(created({ ...family, familyId: 'not-a-uuid' }).join(), /uuid/);
    assert.match(created(family, 418).join(), /not documented/);
    assert.match(
      created({ type: 'x', title: 'x', status: 404, detail: 'x' }, 400, 'application/problem+json').join(),
      /status is 404/,
    );
    assert.deepEqual(
      violations({
        method: 'GET',
        path: '/v1/families/join',
        status: 404,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: 'https://haru.app/problems/not-found',
          title: 'Not found',
          status: 404,
          detail: 'no such family',
        }),
      }),
      [],
    );
  });

  test('when the committed generated types are compared with what openapi-typescript makes of the document, then they are the same', async () => {
    const committed = await readFile(haruApiTypesFile, 'utf8');
    const generated = await haruApiTypes(document as never);
    assert.ok(committed === generated, 'haru-api.d.ts is stale: run `npm run openapi:types -w @haru/gateway`');
  });
});
