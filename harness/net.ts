// Server-side HTTP for the harness (metadata downloads, readiness polls, back-channel calls).
// samlconf never sends traffic off this machine: `*.test`, `localhost` and loopback addresses are
// served from 127.0.0.1 (or ::1 when written as such); every other host is refused before any
// socket opens. The same mapping the browser gets from its host-resolver rules.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { LookupFunction } from 'node:net';

export const DEFAULT_FETCH_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const MAX_REDIRECTS = 5;

export type FetchLocalErrorCode =
  | 'not-loopback'
  | 'bad-url'
  | 'timeout'
  | 'too-large'
  | 'too-many-redirects'
  | 'network';

export class FetchLocalError extends Error {
  readonly code: FetchLocalErrorCode;
  readonly url: string;
  constructor(code: FetchLocalErrorCode, url: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FetchLocalError';
    this.code = code;
    this.url = url;
  }
}

export interface FetchLocalInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Whole exchange, redirects included. Default 10 s. */
  timeoutMs?: number;
  /** Bodies beyond this are refused (FetchLocalError 'too-large'). Default 10 MiB. */
  maxBytes?: number;
  /** 'follow' (default, at most 5 hops, each hop loopback-checked) or 'manual'. */
  redirect?: 'follow' | 'manual';
  /** For https targets with their own CA; `rejectUnauthorized: false` for self-signed dev certs. */
  ca?: string | Buffer;
  rejectUnauthorized?: boolean;
  signal?: AbortSignal;
}

export interface LocalResponse {
  status: number;
  ok: boolean;
  /** The URL that answered (after redirects). */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text(): string;
}

/** The loopback address a hostname is served from, or undefined when it is not ours to reach. */
export function loopbackAddressFor(hostname: string): string | undefined {
  let host = hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.test')) return '127.0.0.1';
  if (net.isIPv4(host)) return host.startsWith('127.') ? host : undefined;
  if (net.isIPv6(host)) return host === '::1' || host === '0:0:0:0:0:0:0:1' ? '::1' : undefined;
  return undefined;
}

/** True for http(s) URLs on localhost, *.test or a loopback address. */
export function isLoopbackUrl(url: string | URL): boolean {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  return loopbackAddressFor(parsed.hostname) !== undefined;
}

function checkUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : new URL(url.href);
  } catch (cause) {
    throw new FetchLocalError('bad-url', String(url), `not a valid URL: ${String(url)}`, { cause });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new FetchLocalError('bad-url', parsed.href, `only http and https URLs can be fetched, got ${parsed.protocol} in ${parsed.href}`);
  }
  if (loopbackAddressFor(parsed.hostname) === undefined) {
    throw new FetchLocalError(
      'not-loopback',
      parsed.href,
      `refusing to contact ${parsed.hostname}: samlconf only talks to this machine ` +
        `(localhost, *.test names and 127.0.0.0/8 or ::1). Run the target locally or give its metadata as a file.`,
    );
  }
  return parsed;
}

// Hostname resolution that never asks DNS: mapped names go to loopback, anything else fails.
const loopbackLookup: LookupFunction = (hostname, options, callback) => {
  const address = loopbackAddressFor(hostname);
  const cb = callback as (err: NodeJS.ErrnoException | null, address: string | { address: string; family: number }[], family?: number) => void;
  if (!address) {
    const err: NodeJS.ErrnoException = new Error(`${hostname} is not a loopback host`);
    err.code = 'ENOTFOUND';
    process.nextTick(() => cb(err, '', 0));
    return;
  }
  const family = net.isIPv6(address) ? 6 : 4;
  if (typeof options === 'object' && options && (options as { all?: boolean }).all) {
    process.nextTick(() => cb(null, [{ address, family }]));
  } else {
    process.nextTick(() => cb(null, address, family));
  }
};

/** Server-side HTTP(S) request to a loopback URL. Non-2xx statuses resolve normally; check `ok`. */
export async function fetchLocal(url: string | URL, init: FetchLocalInit = {}): Promise<LocalResponse> {
  const timeoutMs = init.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const maxBytes = init.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const deadline = Date.now() + timeoutMs;
  let current = checkUrl(url);
  let method = (init.method ?? 'GET').toUpperCase();
  let body = init.body;
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(current, { ...init, method, body }, Math.max(1, deadline - Date.now()), maxBytes);
    const location = res.headers.location;
    if (init.redirect === 'manual' || !location || res.status < 300 || res.status > 399 || res.status === 304) return res;
    if (hop >= MAX_REDIRECTS) {
      throw new FetchLocalError('too-many-redirects', current.href, `more than ${MAX_REDIRECTS} redirects starting from ${String(url)}`);
    }
    current = checkUrl(new URL(location, current));
    // Like browsers: 303 always, and 301/302 after POST, turn into a GET without a body.
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
  }
}

function requestOnce(target: URL, init: FetchLocalInit & { method: string }, timeoutMs: number, maxBytes: number): Promise<LocalResponse> {
  return new Promise<LocalResponse>((resolve, reject) => {
    const isHttps = target.protocol === 'https:';
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (init.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
      headers['content-length'] = String(Buffer.byteLength(init.body));
    }
    const options: https.RequestOptions = {
      method: init.method,
      protocol: target.protocol,
      hostname: target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname,
      port: target.port || (isHttps ? 443 : 80),
      path: `${target.pathname}${target.search}`,
      headers,
      lookup: loopbackLookup,
      agent: false,
      signal: init.signal,
    };
    if (isHttps) {
      if (init.ca !== undefined) options.ca = init.ca;
      if (init.rejectUnauthorized !== undefined) options.rejectUnauthorized = init.rejectUnauthorized;
    }
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(err);
    };
    const timer = setTimeout(() => {
      fail(new FetchLocalError('timeout', target.href, `no complete answer from ${target.href} within ${timeoutMs} ms`));
    }, timeoutMs);
    const req = (isHttps ? https : http).request(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        fail(new FetchLocalError('too-large', target.href, `${target.href} announced ${declared} bytes, more than the ${maxBytes} allowed`));
        return;
      }
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          fail(new FetchLocalError('too-large', target.href, `the body from ${target.href} exceeds ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => fail(new FetchLocalError('network', target.href, `reading ${target.href} failed: ${err.message}`, { cause: err })));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy(); // one request per connection: never leave a socket behind
        const buf = Buffer.concat(chunks);
        const status = res.statusCode ?? 0;
        resolve({
          status,
          ok: status >= 200 && status < 300,
          url: target.href,
          headers: res.headers,
          body: buf,
          text: () => buf.toString('utf8'),
        });
      });
    });
    req.on('error', (err) => {
      if (err instanceof FetchLocalError) return fail(err);
      fail(new FetchLocalError('network', target.href, `${init.method} ${target.href} failed: ${err.message}`, { cause: err }));
    });
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}
