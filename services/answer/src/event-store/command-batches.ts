import { type BatchOptions, batches } from '@haru/batching';
import type { Database } from '@haru/db';
import type { AnswerDatabase } from '../database.ts';
import { type CommandResult, executeCommands, type StoredEvent, type StreamCommand } from './event-store.ts';

/**
 * Runs commands through `executeCommands` in batches (`batches`: a group commit). One
 * batch at a time by default: larger batches save more commits than batches side by side
 * gain (the ingest benchmark compares them; docs/benchmarks.md).
 */
export const commandBatches = <State, Event extends StoredEvent>(
  database: Database<AnswerDatabase>,
  options: BatchOptions = {},
): ((command: StreamCommand<State, Event>) => Promise<CommandResult<State, Event>>) =>
  batches((commands) => executeCommands(database, commands), options);
