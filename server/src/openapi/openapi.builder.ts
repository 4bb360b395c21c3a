import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { ModulesContainer, Reflector } from '@nestjs/core';
import { z } from 'zod';
import { ROLES_KEY, type Role } from '../common/roles.js';
import { PUBLIC_KEY, SESSION_COOKIE } from '../security/principal.js';
import { ROUTE_SCHEMAS } from './openapi.schemas.js';

/** A route as read from a controller's metadata. */
export interface RouteInfo {
  method: string;
  /** OpenAPI form: `/api/v1/alerts/{id}`. */
  path: string;
  controller: string;
  handler: string;
  public: boolean;
  /** The roles of @Roles (admin always may); `[]` when none are stated. */
  roles: Role[];
  /** Whether @Roles is on the handler or its controller: unstated means admin only, which the security test refuses. */
  rolesStated: boolean;
  /** Query parameters the handler takes one by one (`@Query('unit')`). */
  queryParams: string[];
  /** Whether the handler takes the whole query (`@Query()`): its parameters are those of its ROUTE_SCHEMAS query schema. */
  wholeQuery: boolean;
  /** Whether the handler takes the raw request (`@Req()`), and so could read any parameter. */
  rawRequest: boolean;
}

/** What a handler's parameter decorators take from the request (Nest's ROUTE_ARGS metadata). */
function argsOf(cls: Ctor, name: string): Pick<RouteInfo, 'queryParams' | 'wholeQuery' | 'rawRequest'> {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, cls, name) ?? {}) as Record<string, { data?: unknown }>;
  const out = { queryParams: [] as string[], wholeQuery: false, rawRequest: false };
  for (const [key, arg] of Object.entries(args)) {
    // Keys are `<paramtype>:<index>`; custom decorators (@CurrentUser) have a non-numeric type.
    const type = Number(key.split(':')[0]);
    if (type === RouteParamtypes.QUERY) {
      if (typeof arg.data === 'string') out.queryParams.push(arg.data);
      else out.wholeQuery = true;
    } else if (type === RouteParamtypes.REQUEST) out.rawRequest = true;
  }
  out.queryParams.sort();
  return out;
}

type Ctor = new (...a: never[]) => unknown;

/** Every controller class of the running application, as Nest's router was built from them. */
export function controllersOf(modules: ModulesContainer): Ctor[] {
  return [...modules.values()].flatMap((m) => [...m.controllers.values()].map((w) => w.metatype as Ctor).filter(Boolean));
}

/** Every route of the given controllers, from Nest's PATH/METHOD metadata and our @Roles/@Public. */
export function routesOf(controllers: Iterable<Ctor>, reflector: Reflector): RouteInfo[] {
  const out: RouteInfo[] = [];
  for (const cls of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, cls) ?? '');
    for (const name of Object.getOwnPropertyNames(cls.prototype)) {
      const handler = (cls.prototype as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const sub = Reflect.getMetadata(PATH_METADATA, handler);
      if (sub === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const joined = `/${[base, String(sub)].map((s) => s.replace(/^\/|\/$/g, '')).filter(Boolean).join('/')}`;
      const roles = reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [handler as never, cls]);
      out.push({
        method,
        path: joined.replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
        controller: cls.name,
        handler: name,
        public: !!reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [handler as never, cls]),
        roles: roles ?? [],
        rolesStated: roles !== undefined,
        ...argsOf(cls, name),
      });
    }
  }
  return out.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  try {
    const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
    return rest;
  } catch {
    return {};
  }
}

/** Query parameters from an object schema's top-level properties. */
function queryParameters(schema: z.ZodType): Array<Record<string, unknown>> {
  const js = jsonSchema(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: js.required?.includes(name) ?? false,
    schema: s,
  }));
}

/** Routes collectors call with their own bearer token (not a user session). */
const COLLECTOR_ROUTES = new Set(['POST /api/v1/ingest', 'POST /write']);

/**
 * The OpenAPI 3.1 document of the REST API (DESIGN: `GET /api/openapi.json`). Each operation names
 * its roles (`x-roles`; admin always may) and its security: public routes none; collector routes the
 * collector bearer token; the others a session, as the cookie or as a bearer token.
 */
export function buildOpenApi(routes: RouteInfo[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const key = `${r.method} ${r.path}`;
    const schemas = ROUTE_SCHEMAS[key] ?? {};
    const pathParams = [...r.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const collector = COLLECTOR_ROUTES.has(key);
    const fromSchema = schemas.query ? queryParameters(schemas.query) : [];
    const named = r.queryParams
      .filter((n) => !fromSchema.some((q) => q.name === n))
      .map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } }));
    const op: Record<string, unknown> = {
      operationId: `${r.controller}.${r.handler}`,
      summary: `${r.controller.replace(/Controller$/, '')}: ${r.handler}`,
      tags: [r.controller.replace(/Controller$/, '')],
      'x-roles': r.public ? [] : r.roles,
      'x-public': r.public,
      security: collector ? [{ collectorToken: [] }] : r.public ? [] : [{ sessionCookie: [] }, { sessionBearer: [] }],
      parameters: [...pathParams, ...fromSchema, ...named],
      // A handler that takes the whole query with no schema here has parameters this document cannot
      // list; the scope test (test/e2e/security.scope.spec.ts) refuses such a route where scope applies.
      ...(r.wholeQuery && !schemas.query && { 'x-query-undocumented': true }),
      ...(r.rawRequest && { 'x-reads-request': true }),
      responses: {
        '200': { description: 'Success (2xx; JSON unless the route serves text or CSV)' },
        '400': { description: 'Invalid input: the message names the field', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        ...(!r.public && {
          '401': { description: 'No valid session (or collector token)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
          '403': { description: 'The role may not call this route', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        }),
      },
    };
    if (schemas.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(schemas.body) } } };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Zhuyun (筑云) REST API',
      version,
      description:
        'Live monitoring of the Guiyang e-government extranet. Generated from the running server\'s routes. ' +
        '`x-roles` lists the roles a route admits (admin always may). Live data is on the socket.io namespace `/live`, not described here.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'Session from POST /api/v1/auth/login' },
        sessionBearer: { type: 'http', scheme: 'bearer', description: 'The same session token as `Authorization: Bearer <token>`' },
        collectorToken: { type: 'http', scheme: 'bearer', description: 'A collector token (`zhuyun collectors add`)' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
            },
          },
        },
      },
    },
  };
}
