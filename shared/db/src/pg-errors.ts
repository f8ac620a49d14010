// PostgreSQL error codes the services react to, named once.
// https://www.postgresql.org/docs/current/errcodes-appendix.html

const codeOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;

export const isUniqueViolation = (error: unknown): boolean => codeOf(error) === '23505';

export const isSerializationFailure = (error: unknown): boolean => codeOf(error) === '40001';
