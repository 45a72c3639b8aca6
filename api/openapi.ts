import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import * as contract from './contract';
import { requests, type RouteRequest } from './contract';
import * as wire from './schemas';
import { ErrorBody, responses, type NotJson, type ResponseTable } from './schemas';

/**
 * The OpenAPI 3.1 description of the API, made from the tables the API itself works with: `requests`
 * (contract.ts: what each route reads, the schemas it validates with) and `responses` (schemas.ts: what it
 * answers). The zod schemas become JSON Schema 2020-12, which is what OpenAPI 3.1 uses; the named ones (the
 * exports of both modules) become components, so the document reads like the code.
 */

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

const componentRef = (name: string) => `#/components/schemas/${name}`;
const routeRequests: Record<string, RouteRequest> = requests;
const routeResponses: ResponseTable = responses;

/** The zod schemas a module exports, by name. */
function exportedSchemas(module: Record<string, unknown>): Map<z.ZodType, string> {
  const names = new Map<z.ZodType, string>();
  for (const [name, value] of Object.entries(module)) if (value instanceof z.ZodType && !names.has(value)) names.set(value, name);
  return names;
}

/** A schema as part of the document: without the keys of a standalone schema file. */
function embedded(json: object): JsonSchema {
  const copy: JsonSchema = { ...json };
  delete copy.$schema;
  delete copy.$id;
  return copy;
}

/** Request schemas describe what a client may send (before defaults and coercion), response schemas what it gets. */
const toJsonSchema = (schema: z.ZodType, io: Io): JsonSchema => embedded(z.toJSONSchema(schema, { io, unrepresentable: 'any' }));

function componentSchemas(names: Map<z.ZodType, string>, io: Io): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of names) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io, uri: componentRef, unrepresentable: 'any' });
  return Object.fromEntries(Object.entries(schemas).map(([name, json]) => [name, embedded(json)]));
}

/** `/api/runs/:id/artifacts/*path` → `/api/runs/{id}/artifacts/{path}`. */
export const openApiPath = (expressPath: string) => expressPath.replace(/[:*]([A-Za-z_]+)/g, '{$1}');

/** The resource a route is listed under: by default the first segment of its path after /api. */
const tagOf = (key: string) => routeRequests[key].tag ?? key.split(' ')[1].split('/')[2];

/** What an error status means wherever it is listed (its body is always an ErrorBody). */
const ERROR_DESCRIPTIONS: Record<number, string> = {
  402: 'quota_exceeded: a limit of your plan is reached; the body says which (quota), its limit, how much is used and when it resets (resetsAt, null: never by itself)',
  429: 'rate_limited: too many requests (per address, failed logins, sign-ups, or run starts by plan); Retry-After says when to try again',
};

const RATE_LIMIT_HEADERS = {
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } },
  RateLimit: {
    description: 'The IETF RateLimit header (draft 8): what is left of each limit the request counted against',
    schema: { type: 'string' },
  },
  'RateLimit-Policy': { description: 'The IETF RateLimit-Policy header (draft 8): each limit, by name', schema: { type: 'string' } },
};

const PARAMETER_PLACES = { params: 'path', query: 'query', headers: 'header' } as const;

function parameters(request: RouteRequest): JsonSchema[] {
  return Object.entries(PARAMETER_PLACES).flatMap(([part, place]) => {
    const schema = request[part as keyof typeof PARAMETER_PLACES];
    if (!schema) return [];
    const json = toJsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    return Object.entries(json.properties ?? {}).map(([name, { description, ...property }]) => ({
      name,
      in: place,
      required: place === 'path' || (json.required?.includes(name) ?? false),
      ...(description ? { description } : {}),
      schema: property,
    }));
  });
}

export function openApiDocument(options: { version: string }) {
  const requestNames = exportedSchemas(contract);
  const bodies = new Map([...requestNames].filter(([schema]) => Object.values(routeRequests).some((r) => r.body === schema)));
  const responseNames = exportedSchemas(wire);
  const schemas = { ...componentSchemas(responseNames, 'output'), ...componentSchemas(bodies, 'input') };

  const jsonContent = (schema: z.ZodType, io: Io, names: Map<z.ZodType, string>) => {
    const name = names.get(schema);
    return { 'application/json': { schema: name ? { $ref: componentRef(name) } : toJsonSchema(schema, io) } };
  };
  const answer = (status: number, spec: z.ZodType | NotJson) => {
    if (!(spec instanceof z.ZodType)) {
      return { description: spec.description, ...(spec.mediaType ? { content: { [spec.mediaType]: {} } } : {}) };
    }
    return {
      description: spec.description ?? ERROR_DESCRIPTIONS[status] ?? STATUS_CODES[status] ?? String(status),
      content: jsonContent(spec, 'output', responseNames),
    };
  };
  const errors = jsonContent(ErrorBody, 'output', responseNames);

  const paths: Record<string, Record<string, unknown>> = {};
  for (const [key, request] of Object.entries(routeRequests)) {
    const [method, path] = key.split(' ');
    const answers = routeResponses[key] ?? {};
    const body = request.body;
    (paths[openApiPath(path)] ??= {})[method.toLowerCase()] = {
      tags: [tagOf(key)],
      summary: request.summary,
      ...(request.description ? { description: request.description } : {}),
      security: request.public ? [] : [{ bearer: [] }],
      parameters: parameters(request),
      ...(body
        ? {
            requestBody: {
              // A request without a body is read as {}: the body may be left out when {} is a valid one.
              required: !body.safeParse({}).success,
              content: jsonContent(body, 'input', requestNames),
            },
          }
        : {}),
      responses: {
        ...Object.fromEntries(Object.entries(answers).map(([status, spec]) => [status, answer(Number(status), spec!)])),
        ...(request.public ? {} : { 401: { description: 'Missing, invalid or expired credentials', content: errors } }),
        429: { description: ERROR_DESCRIPTIONS[429], headers: RATE_LIMIT_HEADERS, content: errors },
        default: {
          description:
            "An error: 400 bad input (the message names the field), 404 an unknown id or another user's, 409 a conflict, 413/415 a body too large or not JSON",
          content: errors,
        },
      },
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'CreativeFlow API',
      version: options.version,
      description: 'Pipelines, runs and their media. Every error is JSON {error, message}; unknown fields in a body are refused.',
    },
    tags: [...new Set(Object.keys(routeRequests).map(tagOf))].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A session token (from POST /api/auth/login or /register) or an API key (cf_…): Authorization: Bearer <token>',
        },
      },
    },
  };
}
