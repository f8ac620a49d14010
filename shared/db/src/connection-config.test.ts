import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionConfig } from './connection-config.ts';

const host = 'haru.cluster-abc.ap-northeast-2.rds.amazonaws.com';

describe('connectionConfig', () => {
  it('when the URL asks for RDS IAM authentication, then each connection presents a token signed for its user', async () => {
    const config = connectionConfig(
      `postgres://haru_answer@${host}:5432/haru?sslmode=verify-full&sslrootcert=rds&authentication=aws-iam`,
    );
    assert.equal(typeof config.password, 'function');
    const token = await (config.password as () => Promise<string>)();
    const signed = new URL(`https://${token}`);
    assert.equal(signed.host, `${host}:5432`);
    assert.equal(signed.searchParams.get('Action'), 'connect');
    assert.equal(signed.searchParams.get('DBUser'), 'haru_answer');
    assert.equal(signed.searchParams.get('X-Amz-Expires'), '900');
    assert.match(signed.searchParams.get('X-Amz-Credential') ?? '', /\/rds-db\/aws4_request$/);
    assert.ok(signed.searchParams.get('X-Amz-Signature'));
    // The token never travels unencrypted, and only to a server proved to be RDS.
    assert.equal((config.ssl as { rejectUnauthorized: boolean }).rejectUnauthorized, true);
    assert.ok(((config.ssl as { ca: string[] }).ca ?? []).length > 10);
  });

  it('when IAM authentication is asked for without verified TLS or with a password, then it is refused', () => {
    assert.throws(
      () => connectionConfig(`postgres://haru@${host}/haru?authentication=aws-iam`),
      /needs sslmode=verify-full/,
    );
    assert.throws(
      () => connectionConfig(`postgres://haru:secret@${host}/haru?sslmode=verify-full&authentication=aws-iam`),
      /takes no password/,
    );
  });

  it('when the URL has no sslmode, then node-postgres gets TLS off explicitly and none of haru’s parameters', () => {
    const config = connectionConfig('postgres://haru:haru@127.0.0.1:5432/haru?application_name=tool');
    assert.equal(config.ssl, false);
    assert.equal(config.password, 'haru');
    assert.equal(config.application_name, 'tool');
    const verified = connectionConfig(`postgres://haru:haru@${host}/haru?sslmode=verify-full&sslrootcert=system`);
    assert.deepEqual(verified.ssl, { rejectUnauthorized: true });
    assert.equal((verified as Record<string, unknown>).sslrootcert, undefined);
    assert.equal((verified as Record<string, unknown>).sslmode, undefined);
  });
});
