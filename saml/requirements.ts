// The requirement registry: every normative statement (or attack reference) that a rule, check or
// scenario cites, keyed by a stable ID. Coverage reports count which IDs some scenario cites.
//
// Section numbers follow the OASIS Standard documents of 15 March 2005 (saml-core-2.0-os,
// saml-bindings-2.0-os, saml-profiles-2.0-os, saml-metadata-2.0-os, saml-conformance-2.0-os),
// checked against their text. The later "errata composite" drafts renumber a few sections (for
// example Profiles 4.1.6 becomes 4.1.7 and Core 5.4.5 becomes 5.4.6); we keep the 2005 numbers.
// Summaries are our own paraphrases, never the specification's sentences.

export type RequirementDocument = 'core' | 'bindings' | 'profiles' | 'metadata' | 'conformance' | 'xmldsig' | 'attack';
export type RequirementKeyword = 'MUST' | 'MUST NOT' | 'SHOULD' | 'SHOULD NOT' | 'MAY';

export interface Requirement {
  id: string;
  document: RequirementDocument;
  section: string;
  keyword: RequirementKeyword;
  summary: string;
}

type Entry = Omit<Requirement, 'id' | 'document'>;

/** Spec entries are written compactly by document; the ID is `${document}-${section}`. */
function specEntries(document: Exclude<RequirementDocument, 'attack'>, entries: Entry[]): Requirement[] {
  return entries.map((e) => ({ id: `${document}-${e.section}`, document, ...e }));
}

const CORE = specEntries('core', [
  { section: '1.3.1', keyword: 'MUST NOT', summary: 'String values (a NameID among them) are compared byte for byte: no case folding, trimming of blanks or other normalisation may decide that two values are the same.' },
  { section: '1.3.3', keyword: 'MUST', summary: 'Every SAML time value is an xs:dateTime in UTC, written without a time zone offset.' },
  { section: '1.3.4', keyword: 'MUST', summary: 'An identifier may be declared by exactly one element: two elements carrying the same ID value make the message invalid.' },
  { section: '2.3.3', keyword: 'MUST', summary: 'An Assertion carries Version "2.0", a unique ID, a UTC IssueInstant and an Issuer naming the asserting party.' },
  { section: '2.3.4', keyword: 'MUST', summary: 'An EncryptedAssertion holds an encrypted element whose plaintext is an assertion.' },
  { section: '2.4.1.2', keyword: 'MUST', summary: 'SubjectConfirmationData restricts when (NotBefore/NotOnOrAfter), where (Recipient) and in answer to what (InResponseTo) the subject can be confirmed; NotBefore must come before NotOnOrAfter.' },
  { section: '2.5.1.1', keyword: 'MUST', summary: 'A relying party rejects an assertion whose conditions are invalid or cannot be evaluated (including conditions it does not understand).' },
  { section: '2.5.1.2', keyword: 'MUST', summary: 'An assertion is valid only from Conditions NotBefore up to (not including) NotOnOrAfter; NotBefore must be earlier than NotOnOrAfter.' },
  { section: '2.5.1.4', keyword: 'MUST', summary: 'An AudienceRestriction holds only when the relying party is one of its Audiences; every AudienceRestriction present is evaluated on its own.' },
  { section: '2.5.1.5', keyword: 'MUST NOT', summary: 'An assertion marked OneTimeUse is for immediate use and is not kept for later reuse.' },
  { section: '2.7.2', keyword: 'MUST', summary: 'An AuthnStatement requires a Subject; once its SessionNotOnOrAfter passes the session it describes is over.' },
  { section: '3.2.1', keyword: 'MUST', summary: 'A request has ID, Version and IssueInstant; the receiver checks a present Destination against where it arrived and verifies a present signature, ignoring the request if either fails.' },
  { section: '3.2.2', keyword: 'MUST', summary: 'A response carries InResponseTo equal to the request ID (or none if unsolicited); the receiver checks a present Destination against where it arrived and does not rely on a response whose signature fails.' },
  { section: '3.2.2.2', keyword: 'MUST', summary: 'The top-level StatusCode is Success, Requester, Responder or VersionMismatch; only Success means the request was carried out.' },
  { section: '3.3.2.2.1', keyword: 'MUST', summary: 'With a RequestedAuthnContext whose Comparison is exact (the default), the asserted authentication context is one of the classes asked for; minimum, maximum and better compare strength; when no requested class can be met, the answer is an error Response with the second-level status NoAuthnContext.' },
  { section: '3.4.1', keyword: 'MUST', summary: 'For an AuthnRequest the IdP makes sure a requested AssertionConsumerServiceURL (or index) really belongs to the requester, and answers ForceAuthn and IsPassive as asked; the request should be signed or otherwise protected.' },
  // 3.4.1.1: the 2005 text requires an error for an unacceptable policy; Format equality is spelled out by the approved errata.
  { section: '3.4.1.1', keyword: 'MUST', summary: 'A NameIDPolicy the IdP cannot satisfy yields an error Response; when a specific Format is requested the returned NameID uses that Format (format equality stated by the approved errata).' },
  { section: '3.4.1.4', keyword: 'MUST', summary: 'An IdP answers an AuthnRequest with assertions about the presenter, including an authentication statement and an AudienceRestriction naming the requester.' },
  { section: '3.7.1', keyword: 'SHOULD', summary: 'A LogoutRequest names the principal and optionally SessionIndex values and an expiry (NotOnOrAfter); it should be signed or protected by the binding.' },
  { section: '3.7.2', keyword: 'MUST', summary: 'The receiver of a LogoutRequest answers with a LogoutResponse, which should be signed or protected by the binding.' },
  { section: '3.7.3.1', keyword: 'MUST', summary: 'A session participant authenticates a LogoutRequest before ending the sessions named by its identifier and SessionIndex values, and ends no others.' },
  { section: '3.7.3.2', keyword: 'MUST', summary: 'A session authority authenticates the sender of a LogoutRequest before acting on it or propagating logout to the other participants, and answers Success only when the principal\'s session has ended.' },
  { section: '4.1.2', keyword: 'MUST NOT', summary: 'A relying party does not process an assertion whose major Version it does not support (SAML 2.0 assertions say "2.0").' },
  { section: '4.1.3.1', keyword: 'MUST', summary: 'A responder rejects a request whose major Version it does not support.' },
  { section: '5.4.1', keyword: 'MUST', summary: 'Signatures on assertions and protocol messages are enveloped inside the element they sign.' },
  { section: '5.4.2', keyword: 'MUST', summary: 'A signature has exactly one Reference, a same-document URI pointing at the ID of the element that holds the signature.' },
  { section: '5.4.3', keyword: 'SHOULD', summary: 'Signatures use Exclusive Canonicalization, so that they verify independently of the surrounding XML.' },
  { section: '5.4.4', keyword: 'SHOULD NOT', summary: 'Only the enveloped-signature and exclusive-c14n transforms are expected; a verifier accepting others must make sure no message content escapes the signature.' },
  { section: '5.4.5', keyword: 'MAY', summary: 'KeyInfo is optional in a SAML signature; the verifier decides which keys it trusts.' },
]);

const BINDINGS = specEntries('bindings', [
  { section: '3.4.3', keyword: 'MUST NOT', summary: 'With HTTP-Redirect, RelayState is at most 80 bytes, and a responder returns exactly the RelayState it received with the request.' },
  { section: '3.4.4.1', keyword: 'MUST', summary: 'HTTP-Redirect DEFLATE encoding: the XML signature is removed, the message is deflated, base64 and URL-encoded; a signature is sent as SigAlg and Signature over the query parameters exactly as received.' },
  { section: '3.4.5.2', keyword: 'MUST', summary: 'A signed HTTP-Redirect message carries a Destination naming where it was sent, and the recipient checks that it matches where it arrived.' },
  { section: '3.4.6', keyword: 'MUST NOT', summary: 'SAML processing failures are not reported with HTTP error status codes; a refusing responder should answer with a RequestDenied status.' },
  // 3.5.3 and 3.5.4 were checked against published quotations of the 2005 text, not re-read in full.
  { section: '3.5.3', keyword: 'MUST NOT', summary: 'With HTTP-POST, RelayState is at most 80 bytes, and a responder returns exactly the RelayState it received with the request.' },
  { section: '3.5.4', keyword: 'MUST', summary: 'HTTP-POST carries the base64-encoded message in a form field named SAMLRequest or SAMLResponse (RelayState in its own field), posted to the recipient endpoint.' },
  // 3.5.5.2: the Destination sentence was checked; the recipient-side check is taken to mirror 3.4.5.2 (not re-read).
  { section: '3.5.5.2', keyword: 'MUST', summary: 'A signed HTTP-POST message carries a Destination naming where it was sent, and the recipient checks that it matches where it arrived.' },
  { section: '3.5.6', keyword: 'MUST NOT', summary: 'With HTTP-POST as with HTTP-Redirect, the HTTP exchanges of a SAML message flow do not signal SAML processing failures with HTTP error status codes (the browser is no SAML party); a refusal is a SAML status.' },
]);

const PROFILES = specEntries('profiles', [
  { section: '4.1.2', keyword: 'MUST NOT', summary: 'In Web Browser SSO the IdP returns its Response with HTTP-POST or HTTP-Artifact, never with HTTP-Redirect.' },
  { section: '4.1.3.3', keyword: 'MUST', summary: 'The SP sends its AuthnRequest to the IdP single sign-on service over Redirect, POST or Artifact, and the IdP processes it according to SAML Core.' },
  { section: '4.1.3.4', keyword: 'MUST', summary: 'The IdP establishes who the principal is; ForceAuthn="true" obliges it to authenticate afresh instead of reusing a session.' },
  // 4.1.3.5 (2005 text) carries the POST signing MUST; 4.1.4.5 repeats it for the SP side.
  { section: '4.1.3.5', keyword: 'MUST', summary: 'The IdP sends the Response to an assertion consumer service it knows the SP controls, honouring the requested ACS and binding when it can; assertions delivered with HTTP-POST are signed.' },
  { section: '4.1.4.1', keyword: 'MUST', summary: 'An AuthnRequest names the SP in Issuer (Format absent or entity); the IdP checks that a requested ACS URL or index belongs to that SP and treats an unauthenticated request as advisory only.' },
  { section: '4.1.4.2', keyword: 'MUST', summary: 'A successful Response holds at least one assertion issued by the IdP, with an AuthnStatement (with SessionIndex when SLO is supported), a bearer SubjectConfirmation whose data has Recipient, NotOnOrAfter, no NotBefore and the request ID, and an AudienceRestriction naming the SP; an error Response holds no assertion.' },
  { section: '4.1.4.3', keyword: 'MUST', summary: 'The SP verifies every signature, the bearer Recipient against its ACS URL, the bearer NotOnOrAfter (allowing clock skew), the bearer InResponseTo against its request, and the validity of every assertion it relies on.' },
  { section: '4.1.4.5', keyword: 'MUST', summary: 'Assertions delivered with HTTP-POST are signed (the errata also accept a signed Response), and the SP refuses to accept the same bearer assertion ID twice while it is valid.' },
  { section: '4.1.5', keyword: 'MUST NOT', summary: 'An IdP may send an unsolicited Response; such a Response (and its bearer confirmation data) carries no InResponseTo.' },
  { section: '4.1.6', keyword: 'MAY', summary: 'Metadata can state that an IdP wants signed AuthnRequests, that an SP signs them, that an SP wants signed assertions, and which ACS endpoints (with index and default) an SP has.' },
  // 4.4 as a whole has no single normative sentence; MAY says using the profile is optional
  // (conformance-3.2 makes supporting it mandatory).
  { section: '4.4', keyword: 'MAY', summary: 'The Single Logout profile lets a session participant or the IdP end all of a principal\'s sessions by exchanging LogoutRequest and LogoutResponse messages.' },
  { section: '4.4.3.1', keyword: 'MUST', summary: 'An SP starting logout sends the IdP a LogoutRequest with at least one SessionIndex; over HTTP-POST or HTTP-Redirect it is signed.' },
  { section: '4.4.3.4', keyword: 'MUST', summary: 'A participant answers an IdP LogoutRequest with a LogoutResponse carrying a status; over HTTP-POST or HTTP-Redirect it is signed.' },
  { section: '4.4.4.1', keyword: 'MUST', summary: 'A LogoutRequest names its sender in Issuer (Format absent or entity), is authenticated by signature or binding, identifies the principal exactly as in the session\'s assertion, and (from a participant) includes a SessionIndex.' },
  { section: '4.4.4.2', keyword: 'MUST', summary: 'A LogoutResponse names its sender in Issuer (Format absent or entity) and is authenticated by signature or binding.' },
]);

// Metadata 2.4.3 / 2.4.4 describe these attributes as stating a requirement without an RFC 2119
// keyword; MUST records how a conforming peer treats them.
const METADATA = specEntries('metadata', [
  { section: '2.4.3', keyword: 'MUST', summary: 'IDPSSODescriptor WantAuthnRequestsSigned="true" states that the IdP requires signed AuthnRequests (absent means false); SingleSignOnService lists its SSO endpoints.' },
  { section: '2.4.4', keyword: 'MUST', summary: 'SPSSODescriptor lists the SP\'s AssertionConsumerService endpoints and states whether it signs AuthnRequests (AuthnRequestsSigned) and requires signed assertions (WantAssertionsSigned).' },
]);

const CONFORMANCE = specEntries('conformance', [
  { section: '3.2', keyword: 'MUST', summary: 'Conforming IdPs and SPs implement Web SSO with the AuthnRequest over HTTP-Redirect and the Response over HTTP-POST and HTTP-Artifact, and Single Logout over HTTP-Redirect.' },
  { section: '3.4', keyword: 'MUST', summary: 'Implementations process or produce EncryptedID, EncryptedAssertion and EncryptedAttribute wherever they handle the plaintext forms.' },
  { section: '4.1', keyword: 'MUST', summary: 'Implementations support the XML Signature algorithms SAML relies on, including RSA with SHA-1 for interoperability.' },
  { section: '4.2', keyword: 'MUST', summary: 'Implementations support the XML Encryption algorithms AES-128, AES-256 and Triple DES with RSA-OAEP and RSA v1.5 key transport.' },
]);

function attack(id: string, section: string, summary: string): Requirement {
  return { id, document: 'attack', section, keyword: 'MUST NOT', summary };
}

// Attack references: the keyword states what a target must not do (accept the attack).
const ATTACKS: Requirement[] = [
  attack('attack-xsw', 'Somorovsky et al., "On Breaking SAML: Be Whoever You Want to Be", USENIX Security 2012 (XSW1-XSW8 as in SAML Raider)', 'XML Signature Wrapping: a target must not read identity from content that an attacker moved next to, around or inside the signed element.'),
  attack('attack-signature-exclusion', 'Somorovsky et al., USENIX Security 2012', 'A target must not accept a message whose signature was removed, emptied or pointed at other content.'),
  attack('attack-certificate-faking', 'signature made with a key shipped in the message KeyInfo', 'A target must verify signatures only with the peer\'s pinned key, never with a certificate taken from the message itself.'),
  attack('attack-signature-relocation', 'CVE-2025-47949', 'A target must not accept a signature moved from the assertion to the Response while the original assertion is hidden and an unsigned one is used.'),
  attack('attack-multiple-roots', 'CVE-2022-39299, CVE-2022-39353', 'A target must not accept a document with more than one root element, where a signed root is followed by an unsigned one.'),
  attack('attack-comment-injection', 'Duo Labs 2018: CVE-2017-11427, CVE-2017-11428, CVE-2017-11429, CVE-2017-11430, CVE-2018-0489', 'An XML comment inside a signed NameID must not truncate the identity the target reads (the value is the full joined text).'),
  attack('attack-xxe', 'XML external entities, DTDs and XInclude (SAML Raider)', 'A target must not resolve DTDs, entities or XInclude in a SAML message.'),
  attack('attack-parser-abuse', 'billion laughs, oversized and deeply nested documents', 'A target must refuse hostile documents with bounded time and memory.'),
  attack('attack-deflate-bomb', 'highly compressed HTTP-Redirect payload', 'A target must bound inflation of Redirect-binding messages.'),
  attack('attack-hmac-confusion', 'xml-crypto advisory GHSA-c27r-x354-4m68', 'A target must not accept an HMAC signature keyed with the IdP\'s public certificate.'),
  attack('attack-multiple-signedinfo', 'CVE-2025-29774', 'A target must not accept a signature with a second SignedInfo describing other content.'),
  attack('attack-digest-comment', 'CVE-2025-29775', 'A target must not accept a DigestValue whose text is split by a comment to smuggle a second value.'),
  attack('attack-transforms', 'CVE-2021-39171', 'A target must not honour XSLT/XPath or surplus transforms in a SAML signature.'),
  attack('attack-replay', 'replay of a consumed assertion (Profiles 4.1.4.5)', 'A target must not accept the same assertion ID twice, within one session or across sessions.'),
  attack('attack-unsolicited', 'unsolicited Response while IdP-initiated login is off', 'A target must not accept a Response without a matching request unless unsolicited login is explicitly enabled.'),
  attack('attack-multiple-assertions', 'two Assertions, Assertion plus EncryptedAssertion, Assertion inside Advice', 'A target must not be steered to an unsigned or unintended assertion when a Response carries more than one.'),
  attack('attack-duplicate-id', 'two elements with the same ID', 'A target must not resolve a signature reference to one element and read another with the same ID.'),
  attack('attack-signed-vs-used', 'CVE-2025-54419, CVE-2025-54369', 'A target must read identity only from the content the verified signature covers, not from an unsigned part of the document.'),
  attack('attack-unsigned-encrypted', 'unsigned assertion inside EncryptedAssertion, Response unsigned', 'Encryption is not authentication: a target must not accept an encrypted but unsigned assertion.'),
  attack('attack-weak-algorithms', 'rsa-sha1 / sha1 digests; garbage SigAlg on Redirect', 'A target should not rely on SHA-1 signatures and must reject unknown signature algorithms.'),
  attack('attack-rogue-acs', 'AssertionConsumerServiceURL not in SP metadata', 'An IdP must not send assertions to an ACS URL or index that is not registered for the requesting SP.'),
  attack('attack-relaystate', 'RelayState pointing to https://evil, //evil or javascript:', 'A target must not redirect to, or reflect unescaped, an attacker-chosen RelayState.'),
  attack('attack-nameid-normalisation', 'case, Unicode confusables, trailing spaces in NameID', 'A target must compare identifiers exactly, without normalisation that merges distinct users.'),
  attack('attack-slo-abuse', 'CVE-2023-40178', 'A target must not end sessions on an unsigned, expired or wrapped LogoutRequest, nor sessions of a user other than the one named.'),
  attack('attack-signed-output-injection', 'user-controlled values containing XML markup', 'An IdP must escape user data inside the assertion it signs.'),
  // No SAML document obliges an IdP to remember request IDs or bound a request's age, hence SHOULD NOT.
  { id: 'attack-request-replay', document: 'attack', section: 'AuthnRequest replayed with the same ID, or presented long after its IssueInstant', keyword: 'SHOULD NOT', summary: 'An IdP should not answer an AuthnRequest ID it has already answered, nor a request issued long before it arrived: a captured request should not start new logins.' },
];

/** Individual advisories, so scenarios can cite the exact CVE; each names the class it belongs to. */
const ADVISORIES: Requirement[] = [
  attack('cve-2024-32962', 'CVE-2024-32962 (certificate faking)', 'Instance of attack-certificate-faking: a signature accepted because it verifies with a certificate the message supplies in KeyInfo.'),
  attack('cve-2025-47949', 'CVE-2025-47949 (signature relocation)', 'Instance of attack-signature-relocation: the signature moved to Response level while an unsigned assertion is used.'),
  attack('cve-2022-39299', 'CVE-2022-39299 (multiple root elements)', 'Instance of attack-multiple-roots: a second root element after a signed one is processed.'),
  attack('cve-2022-39353', 'CVE-2022-39353 (multiple root elements in the parser)', 'Instance of attack-multiple-roots: the XML parser accepts a document with several root elements.'),
  attack('cve-2025-29774', 'CVE-2025-29774 (multiple SignedInfo)', 'Instance of attack-multiple-signedinfo: a second SignedInfo lets modified content pass verification.'),
  attack('cve-2025-29775', 'CVE-2025-29775 (comment in DigestValue)', 'Instance of attack-digest-comment: a comment inside DigestValue lets modified content pass verification.'),
  attack('cve-2021-39171', 'CVE-2021-39171 (signature transforms)', 'Instance of attack-transforms: unexpected transforms in a signature are processed.'),
  attack('cve-2017-11427', 'CVE-2017-11427 (comment injection)', 'Instance of attack-comment-injection: the NameID is read only up to an XML comment.'),
  attack('cve-2017-11428', 'CVE-2017-11428 (comment injection)', 'Instance of attack-comment-injection: the NameID is read only up to an XML comment.'),
  attack('cve-2017-11429', 'CVE-2017-11429 (comment injection)', 'Instance of attack-comment-injection: the NameID is read only up to an XML comment.'),
  attack('cve-2017-11430', 'CVE-2017-11430 (comment injection)', 'Instance of attack-comment-injection: the NameID is read only up to an XML comment.'),
  attack('cve-2018-0489', 'CVE-2018-0489 (comment injection)', 'Instance of attack-comment-injection: the NameID is read only up to an XML comment.'),
  attack('cve-2025-54419', 'CVE-2025-54419 (signed-vs-used mismatch)', 'Instance of attack-signed-vs-used: identity taken from a part of the document the signature does not cover.'),
  attack('cve-2025-54369', 'CVE-2025-54369 (signed-vs-used mismatch)', 'Instance of attack-signed-vs-used: identity taken from a part of the document the signature does not cover.'),
  attack('cve-2023-40178', 'CVE-2023-40178 (logout request handling)', 'Instance of attack-slo-abuse: a LogoutRequest acted on without the checks Single Logout requires.'),
  attack('ghsa-c27r-x354-4m68', 'GHSA-c27r-x354-4m68 (HMAC key confusion)', 'Instance of attack-hmac-confusion: an HMAC signature keyed with public certificate bytes is accepted.'),
];

function index(list: Requirement[]): Record<string, Requirement> {
  const out: Record<string, Requirement> = {};
  for (const r of list) {
    if (out[r.id]) throw new Error(`duplicate requirement id ${r.id}`);
    out[r.id] = Object.freeze(r);
  }
  return Object.freeze(out);
}

export const REQUIREMENTS: Record<string, Requirement> = index([...CORE, ...BINDINGS, ...PROFILES, ...METADATA, ...CONFORMANCE, ...ATTACKS, ...ADVISORIES]);

/** The registry entry for an ID; throws on an unknown ID so that a typo fails loudly. */
export function requirement(id: string): Requirement {
  const r = Object.prototype.hasOwnProperty.call(REQUIREMENTS, id) ? REQUIREMENTS[id] : undefined;
  if (!r) throw new Error(`unknown requirement id "${id}"`);
  return r;
}

/** True when the ID is registered (for callers that validate user input instead of throwing). */
export function isRequirementId(id: string): boolean {
  return Object.prototype.hasOwnProperty.call(REQUIREMENTS, id);
}
