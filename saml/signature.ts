// Enveloped XML-DSig for SAML messages: the public API. The code lives in saml/signature/, one file
// per concern; this module only re-exports, so every importer keeps importing from here.
//
// Signing follows the SAML profile of XML Signature (core 5.4): one Reference to the signed
// element's ID, enveloped + exclusive c14n transforms, the ds:Signature right after saml:Issuer.
//
// Verification trusts only pinned certificates, never KeyInfo, and refuses every signature shape
// that signature-wrapping and canonicalization attacks rely on before any cryptography runs. What
// a valid check returns is the canonical XML the signature actually covers, so callers read claims
// from signed bytes rather than from the (possibly wrapped) document.
//
// Two engines do the cryptographic part once the structure has passed. 'xml-crypto' is SignedXml
// (computeSignature / checkSignature with the certificate pinned). 'core', the default, uses
// xml-crypto's canonicalizers and Node's crypto on the DOM parsed once: xml-crypto re-parses the
// document and runs several whole-document XPath scans per signature, which made it four to five
// times slower. The tests run every case through both and require the same answer, and
// test/saml/signature-differential.test.ts holds both to xmlsec1 on every attack shape.
//
//   saml/signature/types.ts             SignOptions, SignatureCheck, VerifyOptions, SignatureEngine
//   saml/signature/algorithms.ts        accepted algorithms, parsed-key caches
//   saml/signature/c14n.ts              DOM helpers, canonicalization without copying
//   saml/signature/structure.ts         the shape checks that run before any cryptography
//   saml/signature/sign-plan.ts         which element each ID names, key, the SignedInfo we write
//   saml/signature/sign.ts              signRoot, signAssertions, signElementById
//   saml/signature/verify.ts            verifySignatures and friends: structure, pinning, engine
//   saml/signature/engine-core.ts       the default engine (sign and verify on our DOM)
//   saml/signature/engine-xml-crypto.ts the same on xml-crypto's SignedXml
export type { SignatureCheck, SignatureEngine, SignOptions, VerifyOptions } from './signature/types.ts';
export { acceptedSignatureAlgorithms } from './signature/algorithms.ts';
export { canonicalizeSignedInfo, directCanonicalSignedInfo, signedInfoXml } from './signature/sign-plan.ts';
export { signAssertions, signElementById, signRoot } from './signature/sign.ts';
export { verifyDocumentSignatures, verifyElementSignature, verifySignatures } from './signature/verify.ts';
