// PostgreSQL error codes the services react to, named once.
// https://www.postgresql.org/docs/current/errcodes-appendix.html

const codeOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;

export const isUniqueViolation = (error: unknown): boolean => codeOf(error) === '23505';

// The database is out of reach (restarting, failing over, network): class 08 connection
// exceptions, 57P0x shutdowns, and the socket errors and messages of node-postgres.
const unreachableSocketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const unreachableMessage = /Connection terminated|connection timeout|Client has encountered a connection error/i;

export const isDatabaseUnreachable = (error: unknown): boolean => {
  const code = codeOf(error);
  if (
    typeof code === 'string' &&
    (code.startsWith('08') || /^57P0[1-3]$/.test(code) || unreachableSocketCodes.has(code))
  ) {
    return true;
  }
  return error instanceof Error && unreachableMessage.test(error.message);
};
