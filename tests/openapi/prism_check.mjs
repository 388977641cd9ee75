// Checks one HTTP exchange (a request and the response it got) against an OpenAPI document with
// Stoplight Prism's own routing and validation (@stoplight/prism-http: what `prism proxy` runs
// on the traffic it forwards). Used by exchange_validator.mjs (the e2e harness's check) and
// fuzz.mjs.
//
// makeChecker(document) → check(exchange) where exchange is {method, target (path?query as
// sent), headers, body_b64, status, response_headers, response_body_b64} and the result is
// {operation: operationId | null, request: [messages], response: [messages]}.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const prismHttp = require('@stoplight/prism-http');
const { validateInput, validateOutput, validateSecurity } = require(
  '@stoplight/prism-http/dist/validator');
const route = require('@stoplight/prism-http/dist/router').default;


export async function makeChecker(document) {
  // Path templates whose last parameter takes the rest of the path, slashes included
  // (x-rest-of-path in the document): Prism matches one segment per parameter, so such a value is
  // handed over with its slashes encoded, which is the same key to the server.
  const restPrefixes = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const op of Object.values(item)) {
      for (const p of op.parameters || []) {
        if (p.in === 'path' && p['x-rest-of-path'] && path.endsWith(`{${p.name}}`)) {
          restPrefixes.push(path.slice(0, -`{${p.name}}`.length));
        }
      }
    }
  }

  function matchPath(rawPath) {
    for (const prefix of restPrefixes) {
      if (rawPath.startsWith(prefix) && rawPath.length > prefix.length) {
        return prefix + rawPath.slice(prefix.length).replaceAll('/', '%2F');
      }
    }
    return rawPath;
  }

  const operations = await prismHttp.getHttpOperationsFromSpec(document);

  function lower(headers) {
    const out = {};
    for (const [k, v] of Object.entries(headers || {})) out[k.toLowerCase()] = String(v);
    return out;
  }

  // A body as Prism's server would hand it over: JSON parsed when its type says JSON (and the
  // operation does not take opaque bytes), other bodies as text. `empty` is what no body is.
  function decodeBody(b64, headers, { opaque = false, empty = undefined } = {}) {
    if (b64 === undefined || b64 === null || b64 === '') return empty;
    const buf = Buffer.from(b64, 'base64');
    if (!opaque && /json/i.test(headers['content-type'] || '')) {
      try {
        return JSON.parse(buf.toString('utf8'));
      } catch {
        return buf.toString('utf8');
      }
    }
    return buf.toString('latin1');
  }

  // True when every media type the operation accepts is raw bytes (uploads of any type).
  function takesBytes(resource) {
    const contents = resource.request?.body?.contents || [];
    // (Prism turns OpenAPI 3.0's format: binary into contentMediaType.)
    return contents.length > 0 && contents.every(
      c => c.schema?.format === 'binary' || c.schema?.contentMediaType === 'application/octet-stream');
  }

  function messages(diagnostics) {
    return (diagnostics || []).map(d => {
      const where = d.path && d.path.length ? ` at ${d.path.join('.')}` : '';
      return `${d.message}${where}`;
    });
  }


  // Prism skips, silently, a schema its JSON Schema compiler (Ajv) refuses: compile every schema
  // of every operation up front with the same compiler, so such a document fails loudly instead
  // of passing every check.
  {
    const fromPrism = createRequire(require.resolve('@stoplight/prism-http'));
    const Ajv = fromPrism('ajv').default;
    const addFormats = fromPrism('ajv-formats');
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const schemas = [];
    for (const op of operations) {
      const where = `${op.method.toUpperCase()} ${op.path}`;
      for (const c of op.request?.body?.contents || []) schemas.push([`${where} request body`, c.schema]);
      for (const kind of ['query', 'path', 'headers']) {
        for (const p of op.request?.[kind] || []) schemas.push([`${where} ${kind} ${p.name}`, p.schema]);
      }
      for (const r of op.responses || []) {
        for (const c of r.contents || []) schemas.push([`${where} ${r.code} ${c.mediaType}`, c.schema]);
        for (const h of r.headers || []) schemas.push([`${where} ${r.code} header ${h.name}`, h.schema]);
      }
    }
    for (const [where, schema] of schemas) {
      if (!schema) continue;
      try {
        ajv.compile({ ...schema, $schema: undefined, __bundled__: undefined });
      } catch (e) {
        throw new Error(`the schema of ${where} does not compile: ${e.message}`);
      }
    }
  }

  function check(x) {
    const target = new URL(x.target, 'http://server');
    const query = {};
    for (const [k, v] of target.searchParams) {
      if (k in query) query[k] = [].concat(query[k], v);
      else query[k] = v;
    }
    const headers = lower(x.headers);
    const request = {
      method: x.method.toLowerCase(),
      url: { path: matchPath(target.pathname), query },
      headers,
    };
    const routed = route({ resources: operations, input: request });
    if (routed._tag === 'Left') {
      return { operation: null, request: [routed.left.message || String(routed.left)], response: [] };
    }
    const resource = routed.right;
    request.body = decodeBody(x.body_b64, headers, { opaque: takesBytes(resource) });
    const requestProblems = [];
    for (const v of [validateSecurity({ resource, element: request }),
                     validateInput({ resource, element: request })]) {
      if (v._tag === 'Left') requestProblems.push(...messages(v.left));
    }
    const responseHeaders = lower(x.response_headers);
    const response = {
      statusCode: x.status,
      headers: responseHeaders,
      body: request.method === 'head' ? undefined
                                      : decodeBody(x.response_body_b64, responseHeaders,
                                                   { empty: '' }),
    };
    const out = validateOutput({ resource, element: response });
    return {
      operation: resource.iid || resource.id,
      request: requestProblems,
      response: out._tag === 'Left' ? messages(out.left) : [],
    };
  }

  return check;
}
