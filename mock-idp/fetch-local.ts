// Download a peer's metadata from loopback only. The mocks import nothing from harness/, so this
// is a deliberately small cousin of harness/net.ts fetchLocal: `*.test`, `localhost` and
// 127.0.0.0/8 go to 127.0.0.1, anything else is refused before a socket opens.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

const MAX_BYTES = 4 * 1024 * 1024;
const TIMEOUT_MS = 10_000;

function loopbackFor(hostname: string): string | undefined {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.test')) return '127.0.0.1';
  if (net.isIPv4(host) && host.startsWith('127.')) return host;
  if (host === '::1') return '::1';
  return undefined;
}

export async function fetchLocalText(url: string): Promise<string> {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`cannot fetch ${url}: only http and https`);
  const address = loopbackFor(u.hostname);
  if (!address) throw new Error(`refusing to fetch ${url}: samlconf only talks to loopback hosts (*.test, localhost, 127.0.0.1)`);
  const family = net.isIPv6(address) ? 6 : 4;
  const client = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(
      u,
      {
        lookup: (_host, options, cb) => {
          // Node asks for all addresses when options.all is set; answer in the shape it expects.
          if ((options as { all?: boolean }).all) (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
          else cb(null, address, family);
        },
        timeout: TIMEOUT_MS,
      },
      (res) => {
        if ((res.statusCode ?? 0) >= 300) {
          res.resume();
          reject(new Error(`GET ${url} answered HTTP ${res.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BYTES) {
            req.destroy(new Error(`GET ${url}: body larger than ${MAX_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}
