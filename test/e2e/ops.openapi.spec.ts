// GET /api/openapi.json describes every route of the app; /api/docs works under the CSP.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { routesOf } from '../../server/src/openapi/openapi.builder.js';
import { ROUTE_SCHEMAS } from '../../server/src/openapi/openapi.schemas.js';
import { startTestServer, type TestServer } from '../support/server.js';

type Op = {
  operationId: string;
  'x-roles': string[];
  'x-public': boolean;
  security: Array<Record<string, string[]>>;
  parameters: Array<{ name: string; in: string; required?: boolean; schema: unknown }>;
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { description: string }>;
};
type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Op>>;
  components: { securitySchemes: Record<string, { type: string }>; schemas: Record<string, unknown> };
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let server: TestServer;
let doc: Doc;

beforeAll(async () => {
  server = await startTestServer();
  const res = await fetch(`${server.url}/api/openapi.json`); // no session: public
  expect(res.status).toBe(200);
  doc = (await res.json()) as Doc;
}, 30_000);

afterAll(async () => {
  await server?.close();
});

describe('GET /api/openapi.json', () => {
  it('has the basic OpenAPI 3.1 structure', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(typeof doc.info.title).toBe('string');
    expect(typeof doc.info.version).toBe('string');
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\//);
      expect(path).not.toMatch(/:/); // templated as {param}
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        expect(METHODS).toContain(method);
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        for (const r of Object.values(op.responses)) expect(typeof r.description).toBe('string');
        // Every path template has its required path parameter, and no other path parameter exists.
        const pathParams = op.parameters.filter((p) => p.in === 'path').map((p) => p.name);
        expect(pathParams.sort()).toEqual([...templated].sort());
        for (const p of op.parameters) {
          expect(['path', 'query', 'header', 'cookie']).toContain(p.in);
          if (p.in === 'path') expect(p.required).toBe(true);
          expect(p.schema).toBeDefined();
        }
        for (const req of op.security) for (const name of Object.keys(req)) expect(doc.components.securitySchemes[name]).toBeDefined();
        // A body schema zod could not express would come out empty.
        if (op.requestBody) expect(Object.keys(op.requestBody.content['application/json'].schema).length).toBeGreaterThan(0);
      }
    }
    // Every $ref points into the document.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    for (const r of refs) expect(doc.components.schemas[r]).toBeDefined();
  });

  it('describes every route of the app with its roles and security', () => {
    const container = server.app.get(ModulesContainer);
    const controllers = [...container.values()].flatMap((m) => [...m.controllers.values()].map((w) => w.metatype as new () => unknown).filter(Boolean));
    const routes = routesOf(controllers, server.app.get(Reflector));
    expect(routes.length).toBeGreaterThan(50);
    const documented = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    for (const r of routes) {
      const op = doc.paths[r.path][r.method.toLowerCase()];
      expect(op['x-public']).toBe(r.public);
      if (r.public) expect(op['x-roles']).toEqual([]);
      else {
        expect(op['x-roles']).toEqual(r.roles);
        expect(op.security).toEqual([{ sessionCookie: [] }, { sessionBearer: [] }]);
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
    // Spot checks against the controllers.
    expect(doc.paths['/api/v1/users'].post['x-roles']).toEqual([]); // admin only: no other role
    expect(doc.paths['/api/v1/alerts/{id}']).toBeDefined();
    expect(doc.paths['/api/v1/ingest'].post.security).toEqual([{ collectorToken: [] }]);
    expect(doc.paths['/api/openapi.json'].get['x-public']).toBe(true);
    expect(doc.paths['/healthz'].get.security).toEqual([]);
  });

  it('gives the zod schemas of bodies and queries, for routes that exist', () => {
    for (const key of Object.keys(ROUTE_SCHEMAS)) {
      const [method, path] = key.split(' ');
      expect({ key, found: !!doc.paths[path]?.[method.toLowerCase()] }).toEqual({ key, found: true });
    }
    const ingest = doc.paths['/api/v1/ingest'].post.requestBody!.content['application/json'].schema as { type: string; required: string[] };
    expect(ingest.type).toBe('object');
    expect(ingest.required).toEqual(expect.arrayContaining(['collector', 'batch', 'points']));
    const series = doc.paths['/api/v1/series'].get.parameters.map((p) => p.name);
    expect(series).toEqual(expect.arrayContaining(['metric', 'from', 'to']));
  });
});

describe('GET /api/docs', () => {
  it('is public, loads its own script only (CSP script-src self) and the script is served', async () => {
    const page = await fetch(`${server.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    const html = await page.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0][1]).toContain('src="/api/docs/explorer.js"');
    expect(scripts[0][2].trim()).toBe(''); // no inline code
    expect(html).not.toMatch(/\son[a-z]+=/i); // no inline handlers (script-src-attr 'none')
    expect(html).not.toMatch(/https?:\/\//); // no CDN
    const js = await fetch(`${server.url}/api/docs/explorer.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    const code = await js.text();
    expect(code).toContain("fetch('/api/openapi.json')");
    expect(() => new Function(code)).not.toThrow(); // parses as a script
  });
});
