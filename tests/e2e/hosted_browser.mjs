// Loads hosted blog pages in Debian's headless Chromium (driven by puppeteer-core, pinned in
// package-lock.json) and reports what a reader's browser saw, as JSON on stdout. The assertions
// live in test_hosted_browser.py; this script only observes.
//
// Input (JSON on stdin):
//   {"chromium": "/usr/bin/chromium",
//    "hosts": {"blog-a.example": "127.0.0.1:PORT", ...},   // every other name fails to resolve
//    "timeout_ms": 15000,
//    "pages": [{"url": "http://blog-a.example/posts/x", "screenshot": "/path.png" | null,
//               "probe": false}]}
// "probe": true makes the page itself misbehave once it has loaded (a console.error, an uncaught
// exception, an image from a name that does not resolve), so the caller can check that each
// collector below really catches what it is meant to.
//
// Output: {"browser": "...", "pages": [{"url", "status", "title", "h1", "text", "images": [...],
//          "console_errors", "page_errors", "failed_requests", "error_responses",
//          "screenshot"}]}
// Exit status 0 when every page was visited (whatever they logged), 1 otherwise.
import puppeteer from 'puppeteer-core';

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

// Real names are sent in the Host header (the blog picks the tenant by it) while the connection
// goes to the test server; anything not listed resolves to nothing, so no page can reach the
// network outside the test.
function hostResolverRules(hosts) {
  const rules = Object.entries(hosts).map(([name, target]) => `MAP ${name} ${target}`);
  rules.push('MAP * ~NOTFOUND');
  return rules.join(', ');
}

async function visit(browser, spec, timeoutMs) {
  const page = await browser.newPage();
  const seen = {console_errors: [], page_errors: [], failed_requests: [], error_responses: []};
  page.on('console', (msg) => {
    if (msg.type() === 'error') seen.console_errors.push(msg.text());
  });
  page.on('pageerror', (err) => seen.page_errors.push(String(err && err.message ? err.message : err)));
  page.on('requestfailed', (req) =>
    seen.failed_requests.push(`${req.url()}: ${req.failure()?.errorText ?? 'failed'}`));
  page.on('response', (res) => {
    if (res.status() >= 400) seen.error_responses.push(`${res.status()} ${res.url()}`);
  });

  // networkidle0: the load event and then no request for 500 ms, so late requests (images,
  // a favicon the browser asks for by itself) have been made and answered before we look.
  const response = await page.goto(spec.url, {waitUntil: 'networkidle0', timeout: timeoutMs});
  if (spec.probe) {
    await page.evaluate(() => {
      console.error('collector probe: console.error');
      setTimeout(() => { throw new Error('collector probe: uncaught'); }, 0);
      const img = new Image();
      img.src = 'https://unresolvable.invalid/probe.png';
      document.body.appendChild(img);
    });
    await page.waitForNetworkIdle({idleTime: 300, timeout: timeoutMs});
  }

  const dom = await page.evaluate(() => ({
    title: document.title,
    h1: document.querySelector('h1')?.textContent ?? null,
    text: document.body ? document.body.innerText : '',
    images: Array.from(document.images, (img) => ({
      src: img.getAttribute('src'),
      alt: img.getAttribute('alt'),
      complete: img.complete,
      naturalWidth: img.naturalWidth,
      naturalHeight: img.naturalHeight,
    })),
  }));
  let screenshot = null;
  if (spec.screenshot) {
    await page.screenshot({path: spec.screenshot, fullPage: true, type: 'png'});
    screenshot = spec.screenshot;
  }
  await page.close();
  return {url: spec.url, status: response ? response.status() : null, ...dom, ...seen, screenshot};
}

async function main() {
  const input = await readStdin();
  const timeoutMs = input.timeout_ms ?? 15000;
  const browser = await puppeteer.launch({
    executablePath: input.chromium,
    headless: true,  // Chromium's new headless mode (--headless=new)
    timeout: timeoutMs,
    args: [
      // The tests run as root in CI, and Chromium will not start as root with its sandbox on
      // ("Running as root without --no-sandbox is not supported"). The pages it opens are the
      // test server's own and run no script (the blog's CSP allows none), so it runs
      // unsandboxed here only.
      '--no-sandbox',
      `--host-resolver-rules=${hostResolverRules(input.hosts)}`,
      // No GPU on test machines: software rendering without probing for one.
      '--disable-gpu',
      // The test server speaks plain HTTP: without this, Chromium first tries TLS on the mapped
      // port for a public-looking name (its automatic HTTPS upgrade) and falls back only after.
      '--disable-features=HttpsUpgrades',
    ],
  });
  try {
    const pages = [];
    for (const spec of input.pages) pages.push(await visit(browser, spec, timeoutMs));
    process.stdout.write(JSON.stringify({browser: await browser.version(), pages}) + '\n');
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  process.stderr.write(`hosted_browser: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
