import type { MigrationSet } from '@haru/db';
import { messagingMigrations } from '@haru/messaging';
import * as completion from './2026-11-25T01.00-completion.ts';
import * as replay from './2026-11-26T01.00-replay.ts';

export const migrations: MigrationSet = {
  ...messagingMigrations,
  '2026-11-25T01.00-completion': completion,
  '2026-11-26T01.00-replay': replay,
};
