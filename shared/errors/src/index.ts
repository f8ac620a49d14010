/**
 * haru's one error vocabulary. Domain code throws these; each edge maps them once
 * (HTTP → problem+json status, queue → acknowledge, retry or dead-letter).
 */
export const problemKinds = {
  invalid: { status: 400, title: 'The request is not valid' },
  unauthenticated: { status: 401, title: 'Authentication is required' },
  forbidden: { status: 403, title: 'Not allowed' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'The method is not allowed here' },
  'request-timeout': { status: 408, title: 'The request did not arrive in time' },
  conflict: { status: 409, title: 'Conflict with the current state' },
  'too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'The request body must be JSON' },
  unprocessable: { status: 422, title: 'The request cannot be processed' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'headers-too-large': { status: 431, title: 'The request headers are too large' },
  unavailable: { status: 503, title: 'Temporarily unavailable' },
} as const;

export type ProblemKind = keyof typeof problemKinds;

export class HaruError extends Error {
  override name = 'HaruError';
  readonly kind: ProblemKind;
  /** Extra members of the problem document (e.g. which fields are invalid). */
  readonly extensions: Record<string, unknown>;

  constructor(kind: ProblemKind, detail: string, extensions: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(detail, options);
    this.kind = kind;
    this.extensions = extensions;
  }
}

export const isHaruError = (error: unknown): error is HaruError => error instanceof HaruError;
