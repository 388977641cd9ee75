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
import { makeChecker } from './prism_check.mjs';

let check;
try {
  check = await makeChecker(JSON.parse(readFileSync(process.argv[2], 'utf8')));
} catch (e) {
  process.stderr.write(`exchange_validator: ${e.message}\n`);
  process.exit(2);
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
