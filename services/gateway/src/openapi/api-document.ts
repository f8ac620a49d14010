import type { OpenAPIHono } from '@hono/zod-openapi';

/** What the document says about the API as a whole; the paths come from the routes. */
const about = {
  openapi: '3.1.0',
  info: {
    title: 'haru app API',
    version: '1.0.0',
    summary: 'The daily family question: families, members, schedules, answers, the archive, devices and pushes.',
    description: [
      "The app's only door to haru. Every operation takes `Authorization: Bearer <Firebase ID token>`;",
      "the token's uid is the caller. Bodies are JSON; every error is an RFC 9457",
      '`application/problem+json` document (the Problem schema). A family the caller does not',
      'belong to answers 404. Requests may carry `x-correlation-id` (word characters and dashes,',
      'at most 64), which every response carries back.',
    ].join(' '),
    license: { name: 'Proprietary: all rights reserved', identifier: 'LicenseRef-haru-proprietary' },
  },
  // Relative: wherever the document is served from (a gateway in AWS, or `npm start`'s on port 8080).
  servers: [{ url: '/', description: 'the gateway that serves this document' }],
  security: [{ firebaseIdToken: [] }],
  tags: [
    { name: 'families', description: 'Families, their schedule, and the invites that let members in.' },
    { name: 'members', description: 'A member’s own settings, leaving a family, and removing a member.' },
    { name: 'questions', description: "Today's question, the members' answers, and the archive of every question." },
    { name: 'devices', description: "The caller's devices that get pushes." },
    { name: 'notifications', description: "A family's pushes and whether each member got them." },
  ],
};

/**
 * The app API as OpenAPI 3.1, generated from the routes' declarations (`createRoute`): their
 * parameters, bodies and every response each can give.
 */
export function apiDocument(api: Pick<OpenAPIHono, 'openAPIRegistry' | 'getOpenAPI31Document'>) {
  api.openAPIRegistry.registerComponent('securitySchemes', 'firebaseIdToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A Firebase ID token of the signed-in user (Firebase Auth).',
  });
  // zod-to-openapi's configuration is typed for OpenAPI 3.0, which has no license identifier.
  return api.getOpenAPI31Document(about as Parameters<typeof api.getOpenAPI31Document>[0]);
}
