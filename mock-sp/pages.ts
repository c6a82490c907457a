// The mock SP's few HTML pages: small, escaped, no scripts, served under a CSP that allows nothing
// (except the followRelayState landing page at the end, a deliberate flaw).
import { escapeXml } from '../saml/xml.ts';

export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function page(title: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8">',
    `<title>${escapeXml(title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}pre{background:#f4f4f4;padding:1rem;overflow:auto}</style>',
    '</head>',
    `<body>${body}</body>`,
    '</html>',
    '',
  ].join('\n');
}

/** The evidence page after an ACS or SLO exchange; `<pre id="samlconf-result">` holds the JSON. */
export function resultPage(title: string, result: unknown): string {
  return page(title, `<h1>${escapeXml(title)}</h1>\n<pre id="samlconf-result">${escapeXml(JSON.stringify(result, null, 2))}</pre>`);
}

export function errorPage(title: string, message: string): string {
  return page(title, `<h1>${escapeXml(title)}</h1>\n<p id="samlconf-error">${escapeXml(message)}</p>`);
}

/** Target-mode home page: who is signed in, or a sign-in link. */
export function homePage(nameId: string | undefined): string {
  if (nameId === undefined) {
    return page('samlconf test SP', '<h1>samlconf test SP</h1>\n<p id="samlconf-user">Not signed in.</p>\n<p><a id="samlconf-login" href="/login">Sign in with SSO</a></p>');
  }
  return page(
    'samlconf test SP',
    `<h1>samlconf test SP</h1>\n<p id="samlconf-user">Signed in as ${escapeXml(nameId)}</p>\n<p><a id="samlconf-logout" href="/logout">Sign out</a></p>`,
  );
}

/** Mock-mode index: where things are, for someone running `samlconf mock-sp` by hand. */
export function indexPage(o: { entityId: string; metadataUrl: string; acsUrl: string; idpEntityId?: string }): string {
  const rows = [
    `<li>Entity ID: <code>${escapeXml(o.entityId)}</code></li>`,
    `<li>Metadata: <a href="/metadata">${escapeXml(o.metadataUrl)}</a></li>`,
    `<li>ACS: <code>${escapeXml(o.acsUrl)}</code></li>`,
    `<li>IdP: ${o.idpEntityId ? `<code>${escapeXml(o.idpEntityId)}</code>` : 'not configured'}</li>`,
  ].join('\n');
  return page('samlconf mock SP', `<h1>samlconf mock SP</h1>\n<ul>\n${rows}\n</ul>\n<p><a href="/login">Start SP-initiated login</a></p>`);
}

/** followRelayState only: the one page with a script, which sends the browser to RelayState unchecked. */
export const RELAY_STATE_LANDING_CSP = "default-src 'none'; script-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The careless landing page: RelayState is safely quoted as a string (no markup injection), but
 * where it points is never checked, so an off-site URL or a javascript: URL is followed as is.
 */
export function relayStateLandingPage(relayState: string): string {
  // JSON with '<' escaped: a string literal that cannot close the script element.
  const literal = JSON.stringify(relayState).replace(/</g, '\\u003c');
  return page('Signed in', `<p>Signed in; continuing...</p>\n<script>window.location.href = ${literal};</script>`);
}
