// Checks HTTP exchanges (a request and the response the server gave it) against the OpenAPI
// document with Stoplight Prism's validator (@stoplight/prism-http: the routing and the request
// and response validation that `prism proxy` runs), without proxying: the e2e harness talks to
// the server directly and hands each exchange to this process afterwards.
//
// Usage: node exchange_validator.mjs DOCUMENT.json
//        node exchange_validator.mjs --listen SOCKET --idle-exit SECONDS DOCUMENT.json
// The second form serves the same protocol on a unix socket to any number of clients (the
// test processes of one suite share it, so Prism loads once) and exits once no client has been
// connected for SECONDS, removing the socket, the document file and the log beside the socket.
// Reads one JSON exchange per line on stdin (or a connection):
//   {"method", "target" (path?query, as sent), "headers": {name: value}, "body_b64",
//    "status", "response_headers": {...}, "response_body_b64"}
// and writes one JSON line per exchange: {"operation": operationId | null,
// "request": [messages], "response": [messages]}. Empty lists: no violation.
import { readFileSync, unlinkSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { makeChecker } from './prism_check.mjs';

const args = process.argv.slice(2);
let socketPath = null;
let idleExitSeconds = 10;
while (args[0]?.startsWith('--')) {
  const flag = args.shift();
  if (flag === '--listen') socketPath = args.shift();
  else if (flag === '--idle-exit') idleExitSeconds = Number(args.shift());
  else throw new Error(`unknown option ${flag}`);
}
const documentPath = args[0];

let check;
try {
  check = await makeChecker(JSON.parse(readFileSync(documentPath, 'utf8')));
} catch (e) {
  process.stderr.write(`exchange_validator: ${e.message}\n`);
  process.exit(2);
}

function verdictLine(line) {
  let verdict;
  try {
    verdict = check(JSON.parse(line));
  } catch (e) {
    verdict = { operation: null, request: [], response: [`validator failed: ${e.stack || e}`] };
  }
  return JSON.stringify(verdict) + '\n';
}

async function serve(input, output) {
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim()) output.write(verdictLine(line));
  }
}

if (socketPath === null) {
  await serve(process.stdin, process.stdout);
} else {
  let clients = 0;
  let idleTimer = null;
  const server = createServer(socket => {
    clients += 1;
    clearTimeout(idleTimer);
    socket.on('error', () => {});
    socket.on('close', () => {
      clients -= 1;
      if (clients === 0) armIdle();
    });
    serve(socket, socket).catch(() => socket.destroy());
  });
  const quit = () => {
    server.close();
    // The log beside the socket (the harness's) goes too: an idle exit is a clean one.
    for (const f of [socketPath, documentPath, socketPath.replace(/\.sock$/, '.log')]) {
      try { unlinkSync(f); } catch { /* already gone */ }
    }
    process.exit(0);
  };
  const armIdle = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(quit, idleExitSeconds * 1000);
  };
  const listen = () => server.listen(socketPath, armIdle);
  server.on('error', e => {
    if (e.code !== 'EADDRINUSE') throw e;
    // Another validator owns the socket, or a dead one left it behind: only the latter is
    // replaced.
    const probe = createConnection(socketPath);
    probe.on('connect', () => {
      probe.destroy();
      try { unlinkSync(documentPath); } catch { /* already gone */ }
      process.exit(0);
    });
    probe.on('error', () => { try { unlinkSync(socketPath); } catch { /* raced */ } listen(); });
  });
  listen();
}
