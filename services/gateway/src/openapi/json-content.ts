import type { z } from '@hono/zod-openapi';

/** A JSON body of a route's declaration: its schema, and an example the linter checks against it. */
export const jsonContent = <Schema extends z.ZodType>(schema: Schema, example: z.input<Schema>) => ({
  content: { 'application/json': { schema, example } },
});
