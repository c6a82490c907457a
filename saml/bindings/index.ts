// The SAML binding codecs: HTTP-Redirect, HTTP-POST, HTTP-Artifact and SOAP.
export * from './redirect.ts';
export * from './post.ts';
export * from './artifact.ts';
export * from './soap.ts';
export { appendQuery, formDecode, formEncode, parseRawQuery, rawQueryOf } from './encoding.ts';
export type { RawQueryParam } from './encoding.ts';
