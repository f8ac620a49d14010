/**
 * A stream's state kept beside it, written with its events (`event-store.ts`, `Fold.kept`):
 * rebuildable from the stream at any time, and rebuilt when `shape` is not the fold's.
 */
export interface StreamStatesTable {
  stream_id: string;
  stream_version: number;
  shape: number;
  state: unknown;
}
