// Loopback-only HTTP for peer metadata and back-channel SOAP. The mocks may not import harness/,
// so this is the mock SP's own small client: `*.test`, `localhost` and loopback addresses are served from
// 127.0.0.1 (the Host header keeps the name), anything else is refused before a socket opens.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

function loopbackAddress(hostname: string): string | undefined {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === 'test' || host.endsWith('.test')) return '127.0.0.1';
  if (net.isIPv4(host) && host.startsWith('127.')) return host;
  if (host === '::1') return '::1';
  return undefined;
}

export interface LoopbackReply {
  status: number;
  contentType?: string;
  body: string;
}

/** GET a URL on this machine and return the body as UTF-8 text; throws on non-2xx, timeout or size. */
export async function fetchLoopbackText(url: string, options: { timeoutMs?: number; maxBytes?: number } = {}): Promise<string> {
  const r = await requestLoopback(url, options);
  if (r.status < 200 || r.status >= 300) throw new Error(`${url} answered HTTP ${r.status}`);
  return r.body;
}

/** One HTTP exchange with a URL on this machine (no redirects followed); any status is returned. */
export function requestLoopback(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number; maxBytes?: number } = {},
): Promise<LoopbackReply> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.reject(new Error(`not a URL: ${url}`));
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return Promise.reject(new Error(`only http(s) URLs can be fetched: ${url}`));
  const address = loopbackAddress(parsed.hostname);
  if (!address) return Promise.reject(new Error(`refusing to fetch ${url}: samlconf only talks to loopback (*.test, localhost, 127.0.0.1)`));
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const client = parsed.protocol === 'https:' ? https : http;
  const body = options.body === undefined ? undefined : Buffer.from(options.body, 'utf8');
  const headers: Record<string, string | number> = { ...options.headers };
  if (body) headers['content-length'] = body.length;
  return new Promise((resolve, reject) => {
    const req = client.request(
      parsed,
      {
        method: options.method ?? 'GET',
        headers,
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        lookup: ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
          const family = net.isIPv6(address) ? 6 : 4;
          if (opts?.all) cb(null, [{ address, family }]);
          else cb(null, address, family);
        }) as unknown as net.LookupFunction,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            req.destroy(new Error(`${url} answered more than ${maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          const reply: LoopbackReply = { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') };
          const type = res.headers['content-type'];
          if (type) reply.contentType = type;
          resolve(reply);
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer in time`)));
    req.on('error', reject);
    req.end(body);
  });
}
