import { randomBytes } from 'node:crypto';

/** A topology prefix of its own for a test file, so its topic and queues are its alone. */
export const uniqueTopologyPrefix = (): string => `t-${randomBytes(4).toString('hex')}`;
