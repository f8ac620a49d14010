import {
  answerInputSchema,
  createFamilyInputSchema,
  deviceInputSchema,
  joinFamilyInputSchema,
  scheduleInputSchema,
} from '@haru/contracts';
import { z } from 'zod';

const body = (schema: z.ZodType) => ({
  required: true,
  content: { 'application/json': { schema: z.toJSONSchema(schema, { io: 'input' }) } },
});
const problem = { description: 'RFC 9457 problem', content: { 'application/problem+json': {} } };
const ok = (description: string) => ({ description });
const secured = { security: [{ firebase: [] }] };
const familyId = { name: 'familyId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

/** The app API as OpenAPI 3.1; request bodies come from the same zod schemas the routes check. */
export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'haru app API', version: '1.0.0' },
  components: {
    securitySchemes: { firebase: { type: 'http', scheme: 'bearer', bearerFormat: 'Firebase ID token' } },
  },
  paths: {
    '/v1/families': {
      post: { ...secured, requestBody: body(createFamilyInputSchema), responses: { 201: ok('created'), 400: problem } },
    },
    '/v1/families/join': {
      post: {
        ...secured,
        requestBody: body(joinFamilyInputSchema),
        responses: { 200: ok('already a member'), 201: ok('joined'), 404: problem },
      },
    },
    '/v1/families/{familyId}': {
      get: { ...secured, parameters: [familyId], responses: { 200: ok('the family'), 404: problem } },
    },
    '/v1/families/{familyId}/schedule': {
      put: {
        ...secured,
        parameters: [familyId],
        requestBody: body(scheduleInputSchema),
        responses: { 200: ok('changed'), 403: problem, 404: problem },
      },
    },
    '/v1/families/{familyId}/questions/current': {
      get: { ...secured, parameters: [familyId], responses: { 200: ok("today's question"), 404: problem } },
    },
    '/v1/families/{familyId}/questions/{questionId}/answer': {
      put: {
        ...secured,
        parameters: [familyId, { ...familyId, name: 'questionId' }],
        requestBody: body(answerInputSchema),
        responses: { 200: ok('same answer again'), 201: ok('answered'), 409: problem },
      },
    },
    '/v1/me/devices/{token}': {
      put: { ...secured, requestBody: body(deviceInputSchema), responses: { 204: ok('registered') } },
      delete: { ...secured, responses: { 204: ok('removed') } },
    },
    '/v1/families/{familyId}/notifications': {
      get: { ...secured, parameters: [familyId], responses: { 200: ok('delivery log'), 404: problem } },
    },
  },
} as const;
