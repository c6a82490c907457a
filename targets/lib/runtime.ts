// Small runtime helpers shared by the reference targets: environment, base URL, reading a peer's
// metadata from a file or URL, cookies, HTML and the listen banner the harness and tests read.
import { lookup } from 'node:dns';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, LookupFunction, Server } from 'node:net';

export function env(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function requestedPort(): number {
  const raw = env('PORT');
  if (raw === undefined) return 0;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${raw}"`);
  return port;
}

/** SAMLCONF_TARGET_BASE_URL, else http://<name>.target.test:<port>, without a trailing slash. */
export function baseUrlFor(name: string, port: number): string {
  const configured = env('SAMLCONF_TARGET_BASE_URL');
  return (configured ?? `http://${name}.target.test:${port}`).replace(/\/+$/, '');
}

// The test hostnames (*.test) resolve nowhere but to this machine: the harness's browser maps
// them the same way, so a server-side fetch of a peer's metadata must too.
const loopbackForTestNames: LookupFunction = (hostname, options, callback) => {
  if (/\.test\.?$/i.test(hostname) || hostname === 'localhost') {
    if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  lookup(hostname, options, callback as never);
};

/** Fetches a peer document (metadata) over http(s); bounded in size and time. */
export function fetchText(url: string, timeoutMs = 5000, maxBytes = 2_000_000): Promise<string> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined;
  if (!client) return Promise.reject(new Error(`unsupported metadata URL scheme: ${url}`));
  return new Promise((resolve, reject) => {
    const req = client.get(target, { lookup: loopbackForTestNames, timeout: timeoutMs }, (res) => {
      if ((res.statusCode ?? 0) >= 400) {
        res.resume();
        reject(new Error(`GET ${url} answered ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.destroy(new Error(`GET ${url}: body larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

/** A peer document from a file (preferred) or a URL, whichever the environment names. */
export async function readFileOrUrl(file: string | undefined, url: string | undefined): Promise<string | undefined> {
  if (file) return readFile(file, 'utf8');
  if (url) return fetchText(url);
  return undefined;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    cookies.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return cookies;
}

export function sessionCookie(name: string, value: string, clear = false): string {
  const attrs = [`${name}=${clear ? '' : value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (clear) attrs.push('Max-Age=0');
  return attrs.join('; ');
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

/** An HTML page that POSTs the given fields to `action` as soon as it loads (HTTP-POST binding). */
export function autoPostPage(action: string, fields: Record<string, string | undefined>): string {
  const inputs = Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Continue</title></head>
<body onload="document.forms[0].submit()">
<form method="post" action="${escapeHtml(action)}">
${inputs}
<noscript><button type="submit">Continue</button></noscript>
</form>
</body></html>
`;
}

/** Listens on loopback only and prints one banner line that the harness and tests wait for. */
export function listenOnLoopback(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const actual = (server.address() as AddressInfo).port;
      resolve(actual);
    });
  });
}

export function announce(name: string, port: number, baseUrl: string): void {
  process.stdout.write(`${name} listening on http://127.0.0.1:${port} (base URL ${baseUrl})\n`);
}
