// Text encodings the bindings share: strict base64, form URL-encoding, and a raw query-string
// splitter that keeps each parameter exactly as it arrived (the Redirect binding signs those bytes).
import { XmlSafetyError } from '../xml.ts';

/**
 * Decode base64 without the silent leniency of Buffer.from, which skips any character it does not
 * know. Line breaks (and, when `allowSpaces`, all whitespace) are tolerated; anything else outside
 * the standard alphabet, or padding in the wrong place, is an 'encoding' error.
 */
export function decodeBase64Strict(input: string, what: string, options: { allowSpaces?: boolean } = {}): Buffer {
  if (typeof input !== 'string') throw new XmlSafetyError('encoding', `${what} is not a string`);
  const compact = input.replace(options.allowSpaces ? /\s+/g : /[\r\n\t]+/g, '');
  if (!options.allowSpaces && compact.includes(' ')) {
    // Almost always a '+' the sender forgot to URL-encode, turned into a space by form decoding.
    throw new XmlSafetyError('encoding', `${what} contains a space: probably an un-encoded '+' in the URL`);
  }
  if (compact === '') throw new XmlSafetyError('encoding', `${what} is empty`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw new XmlSafetyError('encoding', `${what} is not valid base64 (characters outside the alphabet)`);
  }
  const unpadded = compact.replace(/=+$/, '');
  if (unpadded.length % 4 === 1 || (compact.length !== unpadded.length && compact.length % 4 !== 0)) {
    throw new XmlSafetyError('encoding', `${what} is not valid base64 (bad length or padding)`);
  }
  return Buffer.from(compact, 'base64');
}

/** Upper bound of the bytes a base64 text decodes to, without decoding it. */
export function base64DecodedLength(compactLength: number): number {
  return Math.floor((compactLength * 3) / 4);
}

/** UTF-8 to string, refusing invalid sequences instead of inserting U+FFFD. */
export function decodeUtf8Strict(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new XmlSafetyError('encoding', `${what} is not valid UTF-8`);
  }
}

/**
 * application/x-www-form-urlencoded value encoding as Python's quote_plus does it: only RFC 3986
 * unreserved characters stay literal, space becomes '+', hex is upper case. Matching that encoder
 * lets verifiers that (wrongly) re-encode decoded values still check our Redirect signatures.
 */
export function formEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, '+');
}

/** Inverse of form encoding; malformed %-escapes or invalid UTF-8 are an 'encoding' error. */
export function formDecode(value: string, what = 'query parameter'): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw new XmlSafetyError('encoding', `${what} has malformed percent-encoding`);
  }
}

export interface RawQueryParam {
  /** Decoded name (the raw name when it does not decode). */
  name: string;
  /** The whole `name=value` segment exactly as received. */
  raw: string;
  /** The value part exactly as received. */
  rawValue: string;
}


/** Split a raw query (no leading '?') on '&' without normalising anything. Empty segments are dropped. */
export function parseRawQuery(rawQuery: string): RawQueryParam[] {
  const out: RawQueryParam[] = [];
  for (const segment of rawQuery.split('&')) {
    if (segment === '') continue;
    const eq = segment.indexOf('=');
    const rawName = eq < 0 ? segment : segment.slice(0, eq);
    const rawValue = eq < 0 ? '' : segment.slice(eq + 1);
    let name = rawName;
    try {
      name = formDecode(rawName, 'parameter name');
    } catch {
      // A parameter we cannot even name is not one of ours; leave it alone.
    }
    out.push({ name, raw: segment, rawValue });
  }
  return out;
}

/**
 * Index the parameters a binding cares about, refusing any of them that appears twice: two
 * SAMLRequest or SigAlg values invite a verifier and a consumer to read different ones.
 * Other parameters (an endpoint's own query) are ignored. Values are left encoded.
 */
export function pickUniqueParams(params: RawQueryParam[], names: readonly string[]): Map<string, RawQueryParam> {
  const found = new Map<string, RawQueryParam>();
  for (const p of params) {
    if (!names.includes(p.name)) continue;
    if (found.has(p.name)) throw new XmlSafetyError('encoding', `duplicate ${p.name} parameter`);
    found.set(p.name, p);
  }
  return found;
}

/** The raw query of a URL (between '?' and '#'), untouched; '' when there is none. */
export function rawQueryOf(url: string): string {
  const hash = url.indexOf('#');
  const beforeHash = hash < 0 ? url : url.slice(0, hash);
  const q = beforeHash.indexOf('?');
  return q < 0 ? '' : beforeHash.slice(q + 1);
}

/** Add query parameters to an endpoint that may already have a query (and, oddly, a fragment). */
export function appendQuery(endpoint: string, query: string): string {
  const hash = endpoint.indexOf('#');
  const base = hash < 0 ? endpoint : endpoint.slice(0, hash);
  const fragment = hash < 0 ? '' : endpoint.slice(hash);
  let glue = '?';
  if (base.includes('?')) glue = base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return base + glue + query + fragment;
}
