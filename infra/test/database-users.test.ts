import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '@haru/testing';
import pg from 'pg';
import { serviceUserSql } from '../src/database-users.ts';

// The SQL the deployment runs through the RDS Data API as the master user, here on a real
// PostgreSQL with a master user as RDS makes it: no superuser, CREATEROLE, owning the database.
const suffix = randomBytes(4).toString('hex');
const master = `master_${suffix}`;
const user = `haru_answer_${suffix}`;
let databaseName: string;
let admin: pg.Client;
let asMaster: pg.Client;

before(async () => {
  const url = new URL(await createTestDatabase());
  databaseName = url.pathname.slice(1);
  admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(
    `do $$ begin if not exists (select from pg_roles where rolname = 'rds_iam') then create role rds_iam; end if; end $$`,
  );
  await admin.query(`create role ${master} login password 'master' createrole`);
  await admin.query(`grant rds_iam to ${master} with admin option`);
  await admin.query(`alter database ${databaseName} owner to ${master}`);
  url.username = master;
  url.password = 'master';
  asMaster = new pg.Client({ connectionString: url.toString() });
  await asMaster.connect();
});

after(async () => {
  await asMaster?.end();
  await admin?.end();
});

describe('a service’s database user', () => {
  it('when created over a schema the master user made, then the service user signs in by IAM and owns that schema alone', async () => {
    // What a deployment from before IAM authentication left: the service's schema, the master's.
    await asMaster.query(`create schema answer; create table answer.event (id bigint generated always as identity, body text);
      create view answer.recent as select * from answer.event; create schema projection; create table projection.state (id int)`);
    const sqlText = serviceUserSql({ database: databaseName, schema: 'answer', user });
    await asMaster.query(sqlText);
    await asMaster.query(sqlText); // every deployment runs it again

    const owners = await admin.query<{ name: string; owner: string }>(
      `select c.relname as name, pg_get_userbyid(c.relowner) as owner from pg_class c
       join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'answer' order by 1`,
    );
    assert.deepEqual(
      owners.rows.map((row) => row.owner),
      owners.rows.map(() => user),
    );
    assert.ok(owners.rows.some((row) => row.name === 'event_id_seq'));
    const { rows } = await admin.query(
      `select pg_get_userbyid(nspowner) as owner, pg_has_role($1, 'rds_iam', 'member') as iam,
              has_database_privilege($1, $2, 'create') as can_create,
              has_schema_privilege($1, 'projection', 'usage') as reads_projection,
              (select rolcanlogin from pg_roles where rolname = $1) as login,
              (select rolpassword is null from pg_authid where rolname = $1) as no_password
       from pg_namespace where nspname = 'answer'`,
      [user, databaseName],
    );
    assert.deepEqual(rows[0], {
      owner: user,
      iam: true,
      can_create: true,
      reads_projection: false,
      login: true,
      no_password: true,
    });
  });
});
