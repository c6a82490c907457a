// The target-mode weaknesses behind the protocol detection rows (ignoreStatus,
// skipEmptySignatureValue, ignoreReferenceTarget, lastAssertionWins): each lets exactly its own
// flawed message through, with the identity a vulnerable SP would take, and nothing next to it.
import { describe, expect, it } from 'vitest';
import { judgeResponse } from '../../mock-sp/acs.ts';
import type { MockSp, SpWeaknesses } from '../../mock-sp/index.ts';
import { NS, STATUS } from '../../saml/constants.ts';
import type { ResponseValidationContext } from '../../saml/rules/index.ts';
import { type Element, child, children, descendants, parseXml, serialize } from '../../saml/xml.ts';
import { IDP_ENTITY_ID, keys, makeResponse } from './helpers.ts';

const sp = { baseUrl: 'https://sp.example.test', entityId: 'https://sp.example.test/metadata' } as MockSp;
const REQUEST_ID = '_request-1';

function ctx(): ResponseValidationContext {
  return {
    trustedCerts: [keys().idp.certPem],
    idpEntityId: IDP_ENTITY_ID,
    spEntityId: sp.entityId,
    acsUrl: `${sp.baseUrl}/acs`,
    expectedRequestId: REQUEST_ID,
    requireSignedAssertion: true,
  };
}

async function judge(xml: string, weaknesses: SpWeaknesses = {}) {
  return judgeResponse(xml, ctx(), { weaknesses });
}

const response = (nameId: string, sign: 'assertion' | 'both' | 'none' = 'assertion', before?: (xml: string) => string) =>
  makeResponse({ sp, inResponseTo: REQUEST_ID, nameId, sign, ...(before ? { before } : {}) });

function editSignatureValues(xml: string, value: string): string {
  const doc = parseXml(xml);
  for (const sig of descendants(doc.documentElement!, NS.ds, 'Signature')) {
    const el = child(sig, NS.ds, 'SignatureValue')!;
    while (el.firstChild) el.removeChild(el.firstChild);
    if (value) el.appendChild(doc.createTextNode(value));
  }
  return serialize(doc);
}

/** alice's signed assertion: its Signature moved into a mallory copy placed before it. */
function misplacedSignature(xml: string, alterOriginal = false): string {
  const doc = parseXml(xml);
  const root = doc.documentElement!;
  const original = children(root, NS.saml, 'Assertion')[0];
  const sig = child(original, NS.ds, 'Signature')!;
  const evil = original.cloneNode(true) as Element;
  evil.removeChild(child(evil, NS.ds, 'Signature')!);
  evil.setAttribute('ID', '_evil');
  const nameId = child(child(evil, NS.saml, 'Subject')!, NS.saml, 'NameID')!;
  nameId.replaceChild(doc.createTextNode('mallory@example.test'), nameId.firstChild!);
  original.removeChild(sig);
  evil.insertBefore(sig, child(evil, NS.saml, 'Issuer')!.nextSibling);
  root.insertBefore(evil, original);
  if (alterOriginal) original.setAttribute('IssueInstant', '2001-01-01T00:00:00Z');
  return serialize(doc);
}

/** mallory's signed Response with alice's separately signed assertion appended. */
function twoSignedAssertions(): string {
  const doc = parseXml(response('mallory@example.test'));
  const alice = children(parseXml(response('alice@example.test')).documentElement!, NS.saml, 'Assertion')[0];
  doc.documentElement!.appendChild(doc.importNode(alice, true));
  return serialize(doc);
}

describe('ignoreStatus', () => {
  const errorResponse = response('alice@example.test', 'assertion', (xml) => xml.replace(STATUS.success, STATUS.responder));

  it('uses the assertion of an error Response, which the strict SP refuses', async () => {
    const strict = await judge(errorResponse);
    expect(strict.accepted).toBe(false);
    expect(strict.failedRules).toEqual(['status-success']);
    const weak = await judge(errorResponse, { ignoreStatus: true });
    expect(weak).toMatchObject({ accepted: true, ignoredRules: ['status-success'] });
    expect(weak.identity?.nameId).toBe('alice@example.test');
  });

  it('waives nothing else: an unsigned Response is still refused', async () => {
    expect((await judge(response('alice@example.test', 'none'), { ignoreStatus: true })).accepted).toBe(false);
  });
});

describe('skipEmptySignatureValue', () => {
  const emptied = editSignatureValues(response('mallory@example.test', 'both'), '');

  it('takes a document whose SignatureValues are all empty as unsigned and reads its first assertion', async () => {
    expect((await judge(emptied)).accepted).toBe(false);
    expect((await judge(emptied, { acceptUnsigned: true })).accepted).toBe(false);
    const weak = await judge(emptied, { skipEmptySignatureValue: true });
    expect(weak.accepted).toBe(true);
    expect(weak.identity?.nameId).toBe('mallory@example.test');
  });

  it('still refuses a document with no signature at all, and a non-empty wrong value', async () => {
    expect((await judge(response('mallory@example.test', 'none'), { skipEmptySignatureValue: true })).accepted).toBe(false);
    const garbage = editSignatureValues(response('mallory@example.test', 'both'), Buffer.alloc(256, 7).toString('base64'));
    expect((await judge(garbage, { skipEmptySignatureValue: true })).accepted).toBe(false);
  });
});

describe('ignoreReferenceTarget', () => {
  it('believes the element holding a signature that verifies over another element', async () => {
    const xml = misplacedSignature(response('alice@example.test'));
    const strict = await judge(xml);
    expect(strict.accepted).toBe(false);
    expect(strict.validation.signatures[0].reason).toContain('does not point at the element holding the signature');
    // Neither the unsigned nor the XSW weakness applies: no signature verifies by the strict rules.
    expect((await judge(xml, { acceptUnsigned: true, readIdentityFromUnsignedAssertion: true })).accepted).toBe(false);
    const weak = await judge(xml, { ignoreReferenceTarget: true });
    expect(weak.accepted).toBe(true);
    expect(weak.identity?.nameId).toBe('mallory@example.test');
  });

  it('still needs the referenced content to verify with the pinned key', async () => {
    const altered = misplacedSignature(response('alice@example.test'), true);
    expect((await judge(altered, { ignoreReferenceTarget: true })).accepted).toBe(false);
  });
});

describe('lastAssertionWins', () => {
  it('validates the first signed assertion but logs in the last one', async () => {
    const xml = twoSignedAssertions();
    const strict = await judge(xml);
    expect(strict.accepted).toBe(false);
    expect(strict.failedRules).toContain('single-assertion');
    const weak = await judge(xml, { lastAssertionWins: true });
    expect(weak.accepted).toBe(true);
    expect(weak.identity?.nameId).toBe('alice@example.test');
  });

  it('changes nothing for a Response with one assertion', async () => {
    const weak = await judge(response('mallory@example.test'), { lastAssertionWins: true });
    expect(weak).toMatchObject({ accepted: true, ignoredRules: [] });
    expect(weak.identity?.nameId).toBe('mallory@example.test');
  });
});
