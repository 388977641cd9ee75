// Property-based fuzzer driven by the server's OpenAPI document (fast-check, fixed seed, bounded
// runs). For every operation it sends requests built from the document — valid ones, and ones
// with exactly one part broken (a body field, a query parameter, a path parameter) — to a
// started server, and asserts for each exchange:
//   - no 5xx;
//   - the response matches the document (Prism's validator, prism_check.mjs);
//   - a request the document refuses is refused (4xx), never accepted;
//   - the server still answers GET /health after each operation.
// Usage: node fuzz.mjs CONFIG.json, CONFIG = {base_url, admin_token, tenant_token, seed, runs,
// path_values: {"<path template> <param>": [known values...]}}. Exits 1 on the first failure
// (fast-check shrinks it and prints the request), 0 when every operation held.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { makeChecker } from './prism_check.mjs';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const base = config.base_url;
const doc = await (await fetch(`${base}/openapi.json`)).json();
const check = await makeChecker(doc);
const components = doc.components.schemas;

const resolve = s => (s && s.$ref ? components[s.$ref.split('/').pop()] : s);

// ---- values a schema accepts

// Text without surprises for the server's display-text rules is not the point: any Unicode.
const anyText = (min, max) => fc.string({ minLength: min, maxLength: max, unit: 'grapheme' });
const freeJson = fc.jsonValue({ maxDepth: 2 });
const freeObject = fc.dictionary(fc.string({ maxLength: 8 }), freeJson, { maxKeys: 4 });

function valid(schema) {
  schema = resolve(schema) || {};
  let arb = validNonNull(schema);
  if (schema.nullable) arb = fc.oneof(arb, fc.constant(null));
  return arb;
}

function validNonNull(s) {
  if (s.enum) return fc.constantFrom(...s.enum.filter(v => v !== null));
  switch (s.type) {
    case 'string': {
      if (s.format === 'uuid') return fc.uuid();
      if (s.format === 'date-time') {
        // Everyday instants, and the edges of what the API stores (years 0001-9999 UTC).
        return fc.oneof(
          fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'),
                    noInvalidDate: true }).map(d => d.toISOString()),
          fc.constantFrom('0001-01-01T00:00:00Z', '0001-01-01T00:00:00-01:00',
                          '9999-12-31T23:59:59Z', '9999-12-31T23:00:00+15:00',
                          '2024-02-29T12:00:00.123456789-00:00'));
      }
      if (s.format === 'binary') return fc.string({ maxLength: 32 });
      const min = s.minLength || 0;
      return anyText(min, Math.max(min, Math.min(s.maxLength ?? 40, 40)));
    }
    case 'integer': {
      const min = Math.max(s.minimum ?? -1e9, Number.MIN_SAFE_INTEGER);
      const max = Math.min(s.maximum ?? 1e9, Number.MAX_SAFE_INTEGER);
      return fc.oneof(fc.integer({ min: Math.max(min, -1e9), max: Math.min(max, 1e9) }),
                      fc.constantFrom(min, max));
    }
    case 'number': return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean': return fc.boolean();
    case 'array':
      return fc.array(s.items && Object.keys(s.items).length ? valid(s.items) : freeJson,
                      { maxLength: Math.min(s.maxItems ?? 4, 4) });
    case 'object': {
      const props = s.properties || {};
      if (!Object.keys(props).length) return freeObject;
      const model = {};
      for (const [k, v] of Object.entries(props)) model[k] = valid(v);
      return fc.record(model, { requiredKeys: s.required || [] });
    }
    default: return freeJson;
  }
}

// ---- values a schema refuses (one thing wrong); null when the schema accepts anything

function invalid(schema) {
  schema = resolve(schema) || {};
  const options = [];
  const t = schema.type;
  const wrongType = { string: 7, integer: 'seven', number: 'x', boolean: 'yes', object: [], array: {} };
  if (t) options.push(fc.constant(wrongType[t]));
  if (t && !schema.nullable) options.push(fc.constant(null));
  if (schema.enum) options.push(fc.constant('not-one-of-them'));
  if (t === 'string' && !schema.enum) {
    if (schema.maxLength !== undefined) options.push(fc.constant('x'.repeat(schema.maxLength + 1)));
    if (schema.minLength) options.push(fc.constant(''));
    if (schema.format === 'uuid') options.push(fc.constantFrom('not-a-uuid', '123'));
    if (schema.format === 'date-time') {
      options.push(fc.constantFrom('2026-13-01T00:00:00Z', '2023-02-29T00:00:00Z', 'yesterday',
                                   '0001-01-01T00:00:00+01:00', '9999-12-31T23:00:00-15:00'));
    }
  }
  if (t === 'integer') {
    if (schema.maximum !== undefined) options.push(fc.constant(schema.maximum + 1));
    if (schema.minimum !== undefined) options.push(fc.constant(schema.minimum - 1));
    options.push(fc.constant(1.5));
  }
  if (t === 'array' && schema.maxItems !== undefined) {
    options.push(fc.constant(new Array(schema.maxItems + 1).fill(0)));
  }
  if (t === 'object' && schema.properties) {
    const props = Object.entries(schema.properties);
    const base = valid({ ...schema, nullable: false });
    if (schema.additionalProperties === false) {
      options.push(base.map(o => ({ ...o, surprise_field: 1 })));
    }
    for (const r of schema.required || []) {
      options.push(base.map(o => { const c = { ...o }; delete c[r]; return c; }));
    }
    for (const [k, v] of props) {
      const bad = invalid(v);
      if (bad) options.push(fc.tuple(base, bad).map(([o, b]) => ({ ...o, [k]: b })));
    }
  }
  return options.length ? fc.oneof(...options) : null;
}

// Parameter values are text: integers as decimal, others as they are.
const asParam = v => (typeof v === 'string' ? v : JSON.stringify(v));

// ---- requests

function tokenFor(op) {
  const sec = op.security || [];
  if (sec.some(s => 'adminToken' in s)) return config.admin_token;
  if (sec.some(s => 'tenantToken' in s)) return config.tenant_token;
  return null;
}

function requestArb(path, method, op) {
  const params = op.parameters || [];
  const pathParams = params.filter(p => p.in === 'path');
  const queryParams = params.filter(p => p.in === 'query');
  const json = op.requestBody?.content?.['application/json'];
  const raw = op.requestBody && !json;

  const pathValue = p => {
    const known = config.path_values[`${path} ${p.name}`] || [];
    const generated = valid(p.schema).map(asParam).filter(v => v.length > 0);
    return known.length ? fc.oneof(fc.constantFrom(...known), generated) : generated;
  };
  const parts = {
    path: fc.record(Object.fromEntries(pathParams.map(p => [p.name, pathValue(p)]))),
    query: fc.record(Object.fromEntries(queryParams.map(p => [p.name, valid(p.schema).map(asParam)])),
                     { requiredKeys: queryParams.filter(p => p.required).map(p => p.name) }),
    body: json ? (op.requestBody.required ? valid(json.schema) : fc.option(valid(json.schema), { nil: undefined }))
               : raw ? fc.uint8Array({ maxLength: 64 }) : fc.constant(undefined),
  };
  // One part broken at a time, so a refusal can be traced to it.
  const broken = [];
  for (const p of pathParams) {
    const bad = invalid(p.schema);
    if (bad) broken.push(fc.tuple(parts.path, bad).map(([v, b]) => ({ path: { ...v, [p.name]: asParam(b) } })));
  }
  for (const p of queryParams) {
    const bad = invalid(p.schema);
    if (bad) broken.push(fc.tuple(parts.query, bad).map(([v, b]) => ({ query: { ...v, [p.name]: asParam(b) } })));
  }
  if (json) {
    const bad = invalid(json.schema);
    if (bad) broken.push(bad.map(b => ({ body: b })));
  }
  const whole = fc.record(parts);
  const arbs = [whole.map(r => ({ ...r, intent: 'valid' }))];
  if (broken.length) {
    arbs.push(fc.tuple(whole, fc.oneof(...broken)).map(([r, b]) => ({ ...r, ...b, intent: 'invalid' })));
  }
  return fc.oneof(...arbs).map(r => ({ ...r, method, template: path, raw, token: tokenFor(op) }));
}

function target(r) {
  let p = r.template;
  for (const [k, v] of Object.entries(r.path)) p = p.replace(`{${k}}`, encodeURIComponent(v));
  const q = new URLSearchParams(Object.entries(r.query).filter(([, v]) => v !== undefined));
  const qs = q.toString();
  return qs ? `${p}?${qs}` : p;
}

const stats = {};

async function send(r) {
  const headers = {};
  if (r.token) headers.Authorization = `Bearer ${r.token}`;
  let body;
  if (r.body !== undefined) {
    if (r.raw) {
      body = Buffer.from(r.body);
      headers['Content-Type'] = 'application/octet-stream';
    } else {
      body = Buffer.from(JSON.stringify(r.body));
      headers['Content-Type'] = 'application/json';
    }
  }
  const t = target(r);
  const res = await fetch(base + t, { method: r.method.toUpperCase(), headers, body,
                                      redirect: 'manual' });
  const responseBody = Buffer.from(await res.arrayBuffer());
  const responseHeaders = {};
  res.headers.forEach((v, k) => { responseHeaders[k] = v; });
  const verdict = check({
    method: r.method.toUpperCase(), target: t,
    headers: { ...headers, 'Content-Length': String(body ? body.length : 0) },
    body_b64: body ? body.toString('base64') : '', status: res.status,
    response_headers: responseHeaders, response_body_b64: responseBody.toString('base64'),
  });
  const key = `${r.method.toUpperCase()} ${r.template} ${r.intent} ${res.status}`;
  stats[key] = (stats[key] || 0) + 1;
  const problems = [];
  if (res.status >= 500) problems.push(`server error ${res.status}`);
  if (verdict.operation === null) problems.push(`no documented operation: ${verdict.request.join('; ')}`);
  problems.push(...verdict.response.map(m => `response: ${m}`));
  if (verdict.request.length && res.status < 400) {
    problems.push(...verdict.request.map(m => `accepted a request the document refuses: ${m}`));
  }
  if (problems.length) {
    throw new Error(`${r.method.toUpperCase()} ${t} -> ${res.status}\n  ${problems.join('\n  ')}\n` +
                    `  request body: ${body ? body.toString('utf8').slice(0, 300) : ''}\n` +
                    `  response: ${responseBody.toString('utf8').slice(0, 300)}`);
  }
}

async function alive() {
  const res = await fetch(`${base}/health`);
  if (res.status !== 200) throw new Error(`GET /health answered ${res.status}: the server is not well`);
  await res.arrayBuffer();
}

// Destructive operations last, so the data the others use is still there.
const order = { get: 0, head: 0, post: 1, put: 1, patch: 2, delete: 3 };
const operations = [];
for (const [path, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) {
    operations.push([path, method, op]);
  }
}
operations.sort((a, b) => order[a[1]] - order[b[1]]);

let failed = false;
for (const [path, method, op] of operations) {
  const started = Date.now();
  try {
    await fc.assert(fc.asyncProperty(requestArb(path, method, op), send),
                    { seed: config.seed, numRuns: config.runs, endOnFailure: false });
    await alive();
  } catch (e) {
    failed = true;
    console.log(`FAIL ${op.operationId} (${method.toUpperCase()} ${path}):\n${e.message}\n`);
    break;
  }
  console.log(`ok   ${op.operationId} (${config.runs} requests, ${Date.now() - started} ms)`);
}
const byStatus = {};
for (const [k, n] of Object.entries(stats)) {
  const [, , intent, status] = k.split(' ');
  byStatus[`${intent} ${status}`] = (byStatus[`${intent} ${status}`] || 0) + n;
}
console.log('fuzz: responses by intent and status:', JSON.stringify(byStatus));
process.exit(failed ? 1 : 0);
