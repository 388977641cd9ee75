// Checks HTTP exchanges (a request and the response the server gave it) against the OpenAPI
// document with Stoplight Prism's validator (@stoplight/prism-http: the routing and the request
// and response validation that `prism proxy` runs), without proxying: the e2e harness talks to
// the server directly and hands each exchange to this process afterwards.
//
// Usage: node exchange_validator.mjs DOCUMENT.json
// Reads one JSON exchange per line on stdin:
//   {"method", "target" (path?query, as sent), "headers": {name: value}, "body_b64",
//    "status", "response_headers": {...}, "response_body_b64"}
// and writes one JSON line per exchange: {"operation": operationId | null,
// "request": [messages], "response": [messages]}. Empty lists: no violation.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const prismHttp = require('@stoplight/prism-http');
const { validateInput, validateOutput, validateSecurity } = require(
  '@stoplight/prism-http/dist/validator');
const route = require('@stoplight/prism-http/dist/router').default;

const document = JSON.parse(readFileSync(process.argv[2], 'utf8'));

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

function lower(headers) {
  const out = {};
  for (const [k, v] of Object.entries(headers || {})) out[k.toLowerCase()] = String(v);
  return out;
}

function decodeBody(b64, headers) {
  if (b64 === undefined || b64 === null || b64 === '') return undefined;
  const buf = Buffer.from(b64, 'base64');
  if (/json/i.test(headers['content-type'] || '')) {
    try {
      return JSON.parse(buf.toString('utf8'));
    } catch {
      return buf.toString('utf8');
    }
  }
  return buf.toString('latin1');
}

function messages(diagnostics) {
  return (diagnostics || []).map(d => {
    const where = d.path && d.path.length ? ` at ${d.path.join('.')}` : '';
    return `${d.message}${where}`;
  });
}

const operations = await prismHttp.getHttpOperationsFromSpec(document);

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
    body: decodeBody(x.body_b64, headers),
  };
  const routed = route({ resources: operations, input: request });
  if (routed._tag === 'Left') {
    return { operation: null, request: [routed.left.message || String(routed.left)], response: [] };
  }
  const resource = routed.right;
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
                                    : decodeBody(x.response_body_b64, responseHeaders),
  };
  const out = validateOutput({ resource, element: response });
  return {
    operation: resource.iid || resource.id,
    request: requestProblems,
    response: out._tag === 'Left' ? messages(out.left) : [],
  };
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let verdict;
  try {
    verdict = check(JSON.parse(line));
  } catch (e) {
    verdict = { operation: null, request: [], response: [`validator failed: ${e.stack || e}`] };
  }
  process.stdout.write(JSON.stringify(verdict) + '\n');
}
