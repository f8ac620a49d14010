/**
 * The SQL that gives a service its own PostgreSQL user, signing in with RDS IAM
 * authentication (no password exists for it), owning its own schema and nothing else.
 * Idempotent: run on every deployment. A schema the master user created earlier (before
 * the services had users of their own) passes to the service's user with its tables.
 *
 * One statement (a DO block), as the RDS Data API executes one statement per call.
 */
export function serviceUserSql({ database, schema, user }: { database: string; schema: string; user: string }): string {
  for (const name of [database, schema, user]) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid PostgreSQL name ${name}`);
  }
  return `DO $haru$
DECLARE
  relation record;
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${user}') THEN
    CREATE ROLE ${user} LOGIN;
  END IF;
  GRANT rds_iam TO ${user};
  -- The master user may act as the service (to hand it objects, and for an operator's repairs).
  EXECUTE format('GRANT ${user} TO %I', current_user);
  GRANT CONNECT, TEMPORARY, CREATE ON DATABASE ${database} TO ${user};
  IF EXISTS (SELECT FROM pg_namespace WHERE nspname = '${schema}') THEN
    ALTER SCHEMA ${schema} OWNER TO ${user};
    FOR relation IN
      SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = '${schema}' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
        AND c.relowner <> '${user}'::regrole
        -- A sequence owned by a column follows its table.
        AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') AND c.relkind = 'S')
    LOOP
      EXECUTE format('ALTER %s ${schema}.%I OWNER TO ${user}',
        CASE relation.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
          WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
        relation.relname);
    END LOOP;
  END IF;
END
$haru$`;
}
