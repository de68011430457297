// A tiny static server for the judges: serves a built site under its base path, the way
// GitHub Pages does for a project site.
//
//   const { url, close } = await start('/tmp/site', '/playbook/');
//
// - binds 127.0.0.1 on a free port; `url` is the origin, e.g. http://127.0.0.1:41234
// - `/` redirects to the base path (when the base is not `/`)
// - `x/` serves `x/index.html`; `x` that is a folder redirects to `x/` (query kept)
// - a missing file, or any path outside the base, gets the site's `404.html`, status 404
// - `..` (after percent-decoding), NUL bytes and malformed escapes are refused with 400,
//   and a resolved path (symlinks followed) must stay inside the site folder
// - only GET and HEAD; other methods get 405
//
// It can also be run on its own to look at a site: node serve.mjs SITE_DIR [BASE]

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.pdf': 'application/pdf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** The Content-Type for a file name (application/octet-stream when unknown). */
export function contentType(file) {
  return TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
}

/** Normalises a base path to `/…/` form: '' and '/' give '/', 'playbook' gives '/playbook/'. */
export function normalizeBase(base) {
  let b = base || '/';
  if (!b.startsWith('/')) b = '/' + b;
  if (!b.endsWith('/')) b += '/';
  return b;
}

/**
 * Serves `dir` under `base` on 127.0.0.1 (any free port). With `{ csp: true }` every
 * response carries the strict policy `CSP`.
 * @returns {Promise<{url: string, base: string, close: () => Promise<void>}>}
 */
export async function start(dir, base = '/playbook/', options = {}) {
  strictCsp = Boolean(options.csp);
  const root = fs.realpathSync(path.resolve(dir));
  if (!fs.statSync(root).isDirectory()) throw new Error(`not a folder: ${dir}`);
  base = normalizeBase(base);

  const server = http.createServer((req, res) => {
    try {
      handle(root, base, req, res);
    } catch (err) {
      send(res, req, 500, 'text/plain; charset=utf-8', `internal error: ${err && err.message}\n`);
    }
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    base,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function handle(root, base, req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, req, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  }
  const raw = req.url || '/';
  const q = raw.indexOf('?');
  const rawPath = q >= 0 ? raw.slice(0, q) : raw;
  const query = q >= 0 ? raw.slice(q) : '';

  let pathname;
  try {
    pathname = decodeURIComponent(rawPath);
  } catch {
    return send(res, req, 400, 'text/plain; charset=utf-8', 'bad request: malformed escape\n');
  }
  if (!pathname.startsWith('/')) {
    return send(res, req, 400, 'text/plain; charset=utf-8', 'bad request\n');
  }
  // Refuse any `..` segment (also with backslashes) and NUL bytes, after decoding.
  if (pathname.includes('\0') || pathname.split(/[\\/]/).some((seg) => seg === '..')) {
    return send(res, req, 400, 'text/plain; charset=utf-8', 'bad request: path traversal\n');
  }

  if (base !== '/' && (pathname === '/' || pathname === '')) {
    return redirect(res, req, base + query);
  }
  if (!pathname.startsWith(base)) {
    // `/playbook` without the slash: the base folder itself.
    if (pathname + '/' === base) return redirect(res, req, base + query);
    return notFound(root, req, res);
  }

  const rel = pathname.slice(base.length);
  let file = path.join(root, rel);
  if (!inside(root, file)) return send(res, req, 400, 'text/plain; charset=utf-8', 'bad request\n');

  let stat = statOrNull(file);
  if (stat && stat.isDirectory()) {
    if (!pathname.endsWith('/')) return redirect(res, req, encodePath(pathname) + '/' + query);
    file = path.join(file, 'index.html');
    stat = statOrNull(file);
  } else if (stat && pathname.endsWith('/')) {
    stat = null; // `file.html/` is not a folder
  }
  if (!stat || !stat.isFile()) return notFound(root, req, res);

  // Symlinks must not lead out of the site.
  let real;
  try {
    real = fs.realpathSync(file);
  } catch {
    return notFound(root, req, res);
  }
  if (!inside(root, real)) return notFound(root, req, res);

  send(res, req, 200, contentType(file), fs.readFileSync(real));
}

function notFound(root, req, res) {
  const page = path.join(root, '404.html');
  if (fs.existsSync(page)) return send(res, req, 404, TYPES['.html'], fs.readFileSync(page));
  send(res, req, 404, 'text/plain; charset=utf-8', 'not found (and the site has no 404.html)\n');
}

function redirect(res, req, location) {
  res.setHeader('Location', location);
  send(res, req, 301, 'text/plain; charset=utf-8', `moved to ${location}\n`);
}

let strictCsp = false;

/** The policy responses carry when `start` is asked for it. */
export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

function send(res, req, status, type, body) {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', buf.length);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // A strict Content Security Policy, as an organisation may set in front of the site:
  // no inline scripts or styles, nothing from elsewhere. Chromium reports a violation as
  // a console error, which the judges count as a failure.
  if (strictCsp) res.setHeader('Content-Security-Policy', CSP);
  res.end(req.method === 'HEAD' ? undefined : buf);
}

function inside(root, file) {
  const r = path.relative(root, file);
  return r === '' || (r !== '..' && !r.startsWith('..' + path.sep) && !path.isAbsolute(r));
}

function statOrNull(file) {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}

function encodePath(p) {
  return p.split('/').map(encodeURIComponent).join('/');
}

// Run on its own: node serve.mjs SITE_DIR [BASE]
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [dir, base = '/playbook/'] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node serve.mjs SITE_DIR [BASE]');
    process.exit(2);
  }
  const s = await start(dir, base);
  console.log(`serving ${dir} at ${s.url}${s.base}  (Ctrl-C to stop)`);
}
