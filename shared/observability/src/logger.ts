import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * Structured JSON logs on stdout (or `destination`, e.g. a test's), one object per line,
 * every line naming its service. Secrets are redacted by path so that a logged request
 * or config never leaks them.
 */
export function createLogger(
  service: string,
  level: string = process.env.LOG_LEVEL ?? 'info',
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: [
        'authorization',
        '*.authorization',
        'headers.authorization',
        'DATABASE_URL',
        'INTERNAL_API_TOKEN',
        'INTERNAL_API_TOKEN_PREVIOUS',
        '*.password',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
