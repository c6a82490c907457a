// Message IDs and SAML time values.
import { randomBytes } from 'node:crypto';

/** A fresh message ID: '_' (IDs are xs:ID, so they must not start with a digit) + 40 lowercase hex. */
export function newId(): string {
  return '_' + randomBytes(20).toString('hex');
}

/**
 * A time as SAML writes it: xs:dateTime in UTC with a 'Z'. Whole seconds are written without a
 * fraction; milliseconds appear only when the Date carries some. A string is returned verbatim,
 * so tests can send malformed or oddly formatted times on purpose.
 */
export function samlTime(d: Date | string): string {
  if (typeof d === 'string') return d;
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new RangeError('samlTime: invalid Date');
  const iso = d.toISOString();
  return d.getUTCMilliseconds() === 0 ? iso.replace(/\.000Z$/, 'Z') : iso;
}

/** `date` shifted by whole seconds (negative = earlier). */
export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}
