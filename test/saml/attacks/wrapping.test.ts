// The wrapping shapes are real attacks (a careless ID lookup still finds a signed element whose
// digest verifies), and our strict verifier and response rules never take the evil identity from
// them. xmlsec1 is the independent peer: for the shapes where the moved signature stays valid
// XML-DSig, it says so too, which is exactly why signature validity alone protects nobody.
import { describe, expect, it } from 'vitest';
import { injectNameIdComment } from '../../../saml/attacks/comment-injection.ts';
import { naiveVerifySignatures } from '../../../saml/attacks/naive-verify.ts';
import { XSW_SHAPES, XSW_SIGNED_ELEMENT, relocateAssertionSignature, wrapSignature } from '../../../saml/attacks/wrapping.ts';
import { NS } from '../../../saml/constants.ts';
import { validateResponse } from '../../../saml/rules/index.ts';
import { verifyDocumentSignatures } from '../../../saml/signature.ts';
import { type Element, child, children, descendants, parseXml, textNodes } from '../../../saml/xml.ts';
import { USER, baseContext, idp, sign, unsignedLogin } from '../../fixtures/rules/responses.ts';
import { SAML_ID_ATTRS, xmlsec1Verify } from '../../peers/xmlsec.ts';

const EVIL = 'mallory@evil.test';

type CaseName = (typeof XSW_SHAPES)[number] | 'relocation';
interface Case {
  name: CaseName;
  signed: 'response' | 'assertion';
  wrap: (xml: string) => string;
  /** Where the strict verifier puts its finger. */
  strictReason: RegExp | 'still valid';
  /** The evil assertion is the first saml:Assertion in document order. */
  evilFirstInDocument: boolean;
  /** The evil assertion is the Response's first saml:Assertion child. */
  evilFirstRootChild: boolean;
}

const REFERENCE_ELSEWHERE = /does not point at the element holding the signature/;
const EXTRA_CHILD = /ds:Signature children must be SignedInfo, SignatureValue and optionally KeyInfo/;
const DUPLICATE = /occurs 2 times in the document/;

const CASES: Case[] = [
  { name: 'xsw1', signed: 'response', wrap: (x) => wrapSignature(x, 'xsw1', { nameId: EVIL }), strictReason: EXTRA_CHILD, evilFirstInDocument: false, evilFirstRootChild: true },
  { name: 'xsw2', signed: 'response', wrap: (x) => wrapSignature(x, 'xsw2', { nameId: EVIL }), strictReason: REFERENCE_ELSEWHERE, evilFirstInDocument: false, evilFirstRootChild: true },
  { name: 'xsw3', signed: 'assertion', wrap: (x) => wrapSignature(x, 'xsw3', { nameId: EVIL }), strictReason: 'still valid', evilFirstInDocument: true, evilFirstRootChild: true },
  { name: 'xsw4', signed: 'assertion', wrap: (x) => wrapSignature(x, 'xsw4', { nameId: EVIL }), strictReason: 'still valid', evilFirstInDocument: true, evilFirstRootChild: true },
  { name: 'xsw5', signed: 'assertion', wrap: (x) => wrapSignature(x, 'xsw5', { nameId: EVIL }), strictReason: REFERENCE_ELSEWHERE, evilFirstInDocument: true, evilFirstRootChild: true },
  { name: 'xsw6', signed: 'assertion', wrap: (x) => wrapSignature(x, 'xsw6', { nameId: EVIL }), strictReason: EXTRA_CHILD, evilFirstInDocument: true, evilFirstRootChild: true },
  { name: 'xsw7', signed: 'assertion', wrap: (x) => wrapSignature(x, 'xsw7', { nameId: EVIL }), strictReason: DUPLICATE, evilFirstInDocument: true, evilFirstRootChild: false },
  { name: 'xsw8', signed: 'assertion', wrap: (x) => wrapSignature(x, 'xsw8', { nameId: EVIL }), strictReason: EXTRA_CHILD, evilFirstInDocument: true, evilFirstRootChild: true },
  {
    name: 'relocation',
    signed: 'assertion',
    wrap: (x) => relocateAssertionSignature(x, { nameId: EVIL }),
    strictReason: REFERENCE_ELSEWHERE,
    evilFirstInDocument: false,
    evilFirstRootChild: true,
  },
];

const nameIdOf = (assertion: Element | undefined) => {
  const subject = assertion && child(assertion, NS.saml, 'Subject');
  return subject ? child(subject, NS.saml, 'NameID')?.textContent : undefined;
};

function wrapped(c: Case): string {
  return c.wrap(sign(unsignedLogin(), c.signed));
}

describe('wrapping shapes', () => {
  it('covers XSW1 to XSW8 as SAML Raider numbers them, with the signature each needs', () => {
    expect(CASES.map((c) => c.name)).toEqual([...XSW_SHAPES, 'relocation']);
    for (const s of XSW_SHAPES) expect(CASES.find((c) => c.name === s)!.signed).toBe(XSW_SIGNED_ELEMENT[s]);
  });

  for (const c of CASES) {
    describe(c.name, () => {
      it('is well-formed: the element found by a careless ID lookup still digests and verifies, and holds only the signed identity', () => {
        const xml = wrapped(c);
        const doc = parseXml(xml);
        const checks = naiveVerifySignatures(doc, [idp().certPem]);
        expect(checks.length).toBeGreaterThan(0);
        for (const check of checks) {
          expect(check.valid, check.reason).toBe(true);
          const names = descendants(check.referenced!, NS.saml, 'NameID').map((n) => n.textContent);
          expect(names).toEqual([USER]);
        }
        // The evil identity is in the document, outside what was signed.
        const evil = descendants(doc.documentElement!, NS.saml, 'NameID').filter((n) => n.textContent === EVIL);
        expect(evil.length).toBeGreaterThan(0);
      });

      it('puts the evil assertion where a careless reader looks', () => {
        const root = parseXml(wrapped(c)).documentElement!;
        expect(nameIdOf(descendants(root, NS.saml, 'Assertion')[0]) === EVIL).toBe(c.evilFirstInDocument);
        expect(nameIdOf(children(root, NS.saml, 'Assertion')[0]) === EVIL).toBe(c.evilFirstRootChild);
      });

      it('is refused by the strict verifier and rules: the evil identity is never taken', async () => {
        const xml = wrapped(c);
        const checks = verifyDocumentSignatures(parseXml(xml), [idp().certPem]);
        expect(checks.length).toBeGreaterThan(0);
        // Whatever verifies covers only the signed identity.
        for (const check of checks.filter((k) => k.valid)) expect(check.signedXml).not.toContain(EVIL);
        if (c.strictReason === 'still valid') expect(checks.every((k) => k.valid)).toBe(true);
        else expect(checks.some((k) => !k.valid && (c.strictReason as RegExp).test(k.reason ?? '')), JSON.stringify(checks)).toBe(true);

        const v = await validateResponse(xml, baseContext({ requireSignedAssertion: c.signed === 'assertion' }));
        expect(v.ok).toBe(false);
        expect(v.identity?.nameId).not.toBe(EVIL);
      });
    });
  }

  it('leaves the honest message to both checks alike (sanity of the careless checker)', async () => {
    for (const mode of ['response', 'assertion'] as const) {
      const xml = sign(unsignedLogin(), mode);
      const naive = naiveVerifySignatures(parseXml(xml), [idp().certPem]);
      expect(naive.map((k) => k.valid)).toEqual([true]);
      expect(naiveVerifySignatures(parseXml(xml), [])[0].valid).toBe(false);
      const v = await validateResponse(xml, baseContext({ requireSignedAssertion: mode === 'assertion' }));
      expect(v.ok).toBe(true);
      expect(v.identity?.nameId).toBe(USER);
    }
  });

  it('resolving the Reference to the holder instead of an ID table catches XSW8 but not XSW7 (duplicate IDs unchecked)', () => {
    const check = (name: CaseName) => naiveVerifySignatures(parseXml(wrapped(CASES.find((c) => c.name === name)!)), [idp().certPem], { resolve: 'holder' });
    expect(check('xsw7').every((k) => k.valid)).toBe(true);
    expect(check('xsw8').some((k) => !k.valid)).toBe(true);
  });

  it('refuses inputs that do not carry the signature a shape needs', () => {
    expect(() => wrapSignature(sign(unsignedLogin(), 'assertion'), 'xsw1', { nameId: EVIL })).toThrow(/Response carries no enveloped signature/);
    expect(() => wrapSignature(sign(unsignedLogin(), 'response'), 'xsw3', { nameId: EVIL })).toThrow(/no saml:Assertion child/);
    expect(() => relocateAssertionSignature(unsignedLogin(), { nameId: EVIL })).toThrow(/no saml:Assertion child/);
  });

  it('sets named attributes of the evil copy', () => {
    const xml = wrapSignature(sign(unsignedLogin(), 'assertion'), 'xsw3', { nameId: EVIL, attributes: { mail: ['a@x.test', 'b@x.test'] } });
    const evil = children(parseXml(xml).documentElement!, NS.saml, 'Assertion')[0];
    expect(descendants(evil, NS.saml, 'AttributeValue').map((v) => v.textContent)).toEqual(['a@x.test', 'b@x.test']);
  });
});

describe('xmlsec1 on the wrapped messages (independent XML-DSig peer)', () => {
  const byName = (name: CaseName) => wrapped(CASES.find((c) => c.name === name)!);

  it('still verifies the signature of XSW3, XSW4, XSW5 and the relocation: XML-DSig validity says nothing about what the SP reads', () => {
    for (const name of ['xsw3', 'xsw4', 'xsw5', 'relocation'] as const) {
      const r = xmlsec1Verify(byName(name), idp().certPem, SAML_ID_ATTRS);
      expect(r.ok, `${name}: ${r.stderr}`).toBe(true);
    }
  });

  it('verifies the moved Response signature of XSW2 when only Response IDs are declared', () => {
    const r = xmlsec1Verify(byName('xsw2'), idp().certPem, [`${NS.samlp}:Response`]);
    expect(r.ok, r.stderr).toBe(true);
  });

  it('refuses the duplicate-ID shapes XSW7 and XSW8 when it loads the document', () => {
    for (const name of ['xsw7', 'xsw8'] as const) {
      const r = xmlsec1Verify(byName(name), idp().certPem, SAML_ID_ATTRS);
      expect(r.ok, name).toBe(false);
      expect(r.stderr, name).toMatch(/duplicate ID/);
    }
  });
});

describe('comment injection into a signed NameID', () => {
  const SIGNED = 'alice@rules.test.evil.test';
  const VISIBLE = 'alice@rules.test';
  const injected = () => injectNameIdComment(sign(unsignedLogin({ nameId: SIGNED }), 'assertion'), SIGNED, VISIBLE);

  it('keeps the signature valid (exclusive c14n drops comments), for us and for xmlsec1', () => {
    const xml = injected();
    expect(xml).toContain(`${VISIBLE}<!---->.evil.test`);
    expect(verifyDocumentSignatures(parseXml(xml), [idp().certPem]).map((k) => k.valid)).toEqual([true]);
    const r = xmlsec1Verify(xml, idp().certPem, SAML_ID_ATTRS);
    expect(r.ok, r.stderr).toBe(true);
  });

  it('cuts the first text node at the comment, while the strict rules read the whole signed value and flag the split', async () => {
    const xml = injected();
    const nameId = descendants(parseXml(xml).documentElement!, NS.saml, 'NameID')[0];
    expect(textNodes(nameId)[0]).toBe(VISIBLE);
    const v = await validateResponse(xml, baseContext());
    expect(v.identity?.nameId).toBe(SIGNED);
    expect(v.findings.find((f) => f.rule === 'nameid-comment')).toMatchObject({ ok: false, severity: 'should' });
  });

  it('refuses a prefix that is not a proper prefix, and a value that is not there', () => {
    const xml = sign(unsignedLogin(), 'assertion');
    expect(() => injectNameIdComment(xml, USER, USER)).toThrow(/proper prefix/);
    expect(() => injectNameIdComment(xml, 'bob@rules.test', 'bob')).toThrow(/no saml:NameID/);
  });
});
