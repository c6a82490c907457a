// The few HTML pages the mock IdP shows besides auto-POST forms: the target-mode login form, error
// pages and a plain result page. No scripts, no styles loaded from anywhere, everything escaped.
import { escapeXml } from '../saml/xml.ts';

/** No script at all; forms may post back to the mock itself. */
export const PAGE_CSP = "default-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export interface Page {
  status: number;
  html: string;
}

function layout(title: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8">',
    `<title>${escapeXml(title)}</title></head>`,
    '<body>',
    body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Login form for target mode. The token names the pending request on the server side. */
export function loginPage(o: { action: string; token: string; error?: string; username?: string }): Page {
  const error = o.error ? `<p id="samlconf-login-error" role="alert">${escapeXml(o.error)}</p>` : '';
  const body = [
    '<h1>Sign in</h1>',
    error,
    `<form method="post" action="${escapeXml(o.action)}">`,
    `<input type="hidden" name="token" value="${escapeXml(o.token)}">`,
    `<p><label>Username <input type="text" name="username" autocomplete="username" value="${escapeXml(o.username ?? '')}"></label></p>`,
    '<p><label>Password <input type="password" name="password" autocomplete="current-password"></label></p>',
    '<p><button type="submit">Sign in</button></p>',
    '</form>',
  ].join('\n');
  return { status: o.error ? 401 : 200, html: layout('Sign in', body) };
}

/** An error the IdP answers with instead of a SAML message (no Response is sent). */
export function errorPage(status: number, message: string, detail?: string): Page {
  const body =
    `<h1>Request refused</h1>\n<p id="samlconf-error">${escapeXml(message)}</p>` +
    (detail ? `\n<pre id="samlconf-error-detail">${escapeXml(detail)}</pre>` : '');
  return { status, html: layout('Request refused', body) };
}

/** A neutral page with a short message (e.g. after a LogoutResponse arrived). */
export function messagePage(title: string, message: string): Page {
  return { status: 200, html: layout(title, `<h1>${escapeXml(title)}</h1>\n<p id="samlconf-message">${escapeXml(message)}</p>`) };
}
