export { type BatchOptions, batches } from './batches.ts';
