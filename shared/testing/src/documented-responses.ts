import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/** The parts of an OpenAPI 3.1 document that say what each operation answers. */
interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>>;
}

/** A response as the tests received it. */
export interface ReceivedResponse {
  method: string;
  /** The request's path (a query, if any, is ignored). */
  path: string;
  status: number;
  contentType: string | null;
  body: string;
}

/**
 * Checks responses against an OpenAPI 3.1 document: the operation for the method and path,
 * a response declared for the status, a declared media type, and a body that matches its
 * JSON Schema (ajv, JSON Schema 2020-12, the dialect of OpenAPI 3.1; formats such as uuid
 * and date-time checked too). A problem document must also carry the response's status.
 * Returns what is wrong, nothing when the response is as documented.
 */
export function documentedResponses(document: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // The whole document is one schema resource, so that each body's `$ref`s resolve in it.
  ajv.addSchema(document, 'openapi');
  const validators = new Map<string, ValidateFunction>();
  const templates = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    // A literal segment is more specific than a parameter (`/families/join`, `/families/{id}`).
    parameters: template.split('{').length - 1,
  }));

  const validatorFor = (pointer: string[]): ValidateFunction => {
    const ref = `openapi#/${pointer.map((segment) => encodeURIComponent(segment.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/')}`;
    let validate = validators.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: ref });
      validators.set(ref, validate);
    }
    return validate;
  };

  return function violations({ method, path, status, contentType, body }: ReceivedResponse): string[] {
    const what = `${method} ${path} → ${status}`;
    const pathname = path.split('?')[0] ?? path;
    const match = templates
      .filter(({ template, pattern }) => pattern.test(pathname) && document.paths[template]?.[method.toLowerCase()])
      .sort((a, b) => a.parameters - b.parameters)[0];
    if (!match) return [`${what}: no such operation in the document`];
    const operation = document.paths[match.template]?.[method.toLowerCase()];
    const response = operation?.responses?.[String(status)] ?? operation?.responses?.default;
    if (!response) return [`${what}: the status is not documented for ${method} ${match.template}`];
    const mediaType = (contentType ?? '').split(';')[0]?.trim() ?? '';
    if (!response.content) return body === '' ? [] : [`${what}: a body where the document declares none`];
    if (!(mediaType in response.content)) {
      return [`${what}: ${mediaType || 'no content type'}, documented ${Object.keys(response.content).join(', ')}`];
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return [`${what}: the body is not JSON`];
    }
    const key = response === operation?.responses?.[String(status)] ? String(status) : 'default';
    const validate = validatorFor([
      'paths',
      match.template,
      method.toLowerCase(),
      'responses',
      key,
      'content',
      mediaType,
      'schema',
    ]);
    const found: string[] = [];
    if (!validate(value)) found.push(`${what}: ${ajv.errorsText(validate.errors, { dataVar: 'body' })} in ${body}`);
    if (mediaType === 'application/problem+json' && (value as { status?: unknown }).status !== status) {
      found.push(`${what}: the problem's status is ${(value as { status?: unknown }).status}`);
    }
    return found;
  };
}

/**
 * A `fetch` that checks every response it returns against the document (see
 * `documentedResponses`) and throws on the first that does not match, naming what differs.
 * Give it to a client (`hc`'s or openapi-fetch's `fetch` option) or call it as fetch.
 */
export function documentedFetch(document: OpenApiDocument, send: typeof fetch = fetch): typeof fetch {
  const violations = documentedResponses(document);
  return async (input, init) => {
    const request = new Request(input, init);
    const response = await send(request);
    const found = violations({
      method: request.method,
      path: new URL(request.url).pathname,
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: await response.clone().text(),
    });
    if (found.length > 0) throw new Error(`the response differs from the OpenAPI document:\n${found.join('\n')}`);
    return response;
  };
}

/** The OpenAPI document a running gateway serves. */
export async function servedDocument(gatewayUrl: string): Promise<OpenApiDocument> {
  const response = await fetch(new URL('/openapi.json', gatewayUrl));
  if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
  return (await response.json()) as OpenApiDocument;
}
