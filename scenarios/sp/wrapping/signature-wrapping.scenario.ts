// XML Signature Wrapping against an SP (docs/attacks.md, XML Signature Wrapping): a normal SP-initiated login whose
// correctly signed Response is rearranged after signing so that an unsigned copy claiming the
// attacker sits where a careless SP reads the identity. Pass: nobody, or only the signed user.
import { defineSpScenario } from '../../../harness/context.ts';
import { XSW_DESCRIPTION, XSW_SHAPES, XSW_SIGNED_ELEMENT, relocateAssertionSignature, wrapSignature, type EvilIdentity, type XswShape } from '../../../saml/attacks/wrapping.ts';
import { ATTACKER_USER, requiresPostAcs } from '../../support.ts';
import { expectOnlySignedIdentity, signedIdentityControl } from './signed-identity-only.ts';

const EVIL: EvilIdentity = { nameId: ATTACKER_USER.nameId, attributes: ATTACKER_USER.attributes };
const SMUGGLED = `the attacker's identity from the unsigned copy`;

/** XSW1/2 wrap the Response signature, the others the assertion's; only that one is made. */
const signingFor = (shape: XswShape) => {
  const level = XSW_SIGNED_ELEMENT[shape];
  return { response: level === 'response', assertion: level === 'assertion' };
};
/** The relocation case starts from an assertion signed on its own. */
const ASSERTION_ONLY = { response: false, assertion: true };

const xsw = defineSpScenario<{ shape: XswShape }>({
  id: 'sp-xsw-rejected',
  title: (v) => `XML Signature Wrapping ${v.shape.toUpperCase()}: ${XSW_DESCRIPTION[v.shape]}`,
  group: 'security',
  refs: ['attack-xsw', 'attack-signed-vs-used', 'profiles-4.1.4.5', 'core-5.4.2'],
  variants: { shape: XSW_SHAPES },
  applies: requiresPostAcs,
  control: (v) => signedIdentityControl(signingFor(v.shape)),
  async run(ctx) {
    const { shape } = ctx.variant;
    await expectOnlySignedIdentity(ctx, {
      check: 'wrapped-identity-refused',
      requirement: 'attack-xsw',
      plan: { user: ctx.testUser, sign: signingFor(shape) },
      mutate: (xml) => wrapSignature(xml, shape, EVIL),
      smuggled: SMUGGLED,
    });
  },
});

const relocation = defineSpScenario({
  id: 'sp-signature-relocation-rejected',
  title: "Signature relocation (CVE-2025-47949): the assertion's signature moved to the Response, the signed assertion hidden in Extensions, an unsigned one used",
  group: 'security',
  refs: ['attack-signature-relocation', 'cve-2025-47949', 'attack-xsw', 'core-5.4.2'],
  applies: requiresPostAcs,
  control: () => signedIdentityControl(ASSERTION_ONLY),
  async run(ctx) {
    await expectOnlySignedIdentity(ctx, {
      check: 'relocated-identity-refused',
      requirement: 'attack-signature-relocation',
      plan: { user: ctx.testUser, sign: ASSERTION_ONLY },
      mutate: (xml) => relocateAssertionSignature(xml, EVIL),
      smuggled: SMUGGLED,
    });
  },
});

export default [xsw, relocation];
