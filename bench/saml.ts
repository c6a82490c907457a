// Part 1: throughput of the protocol toolkit on one core (the main thread, no workers).
// Headline figures: signed Responses built per second, and received Responses checked per second
// (parse + signature verification + every validation rule). The Redirect binding's detached
// signature both ways, and a breakdown that shows where a headline operation spends its time.
import * as crypto from 'node:crypto';
import { decodeRedirectDocument, encodeRedirect, verifyRedirectSignature } from '../saml/bindings/index.ts';
import { buildAuthnRequest, buildLoginResponse, newId } from '../saml/builders/index.ts';
import { NAMEID_FORMAT } from '../saml/constants.ts';
import { createCredential, type Credential } from '../saml/keys.ts';
import { validateResponse, type ResponseValidationContext } from '../saml/rules/index.ts';
import { signAssertions, verifySignatures } from '../saml/signature.ts';
import { parseXml } from '../saml/xml.ts';
import { measure, type Measurement } from './measure.ts';

/** Operations per second the two headline figures should reach on one core. */
export const SAML_AIM_OPS_PER_SECOND = 300;
/** Distinct pre-built messages the receiving benchmarks rotate through, so no cache sees a repeat often. */
export const POOL_SIZE = 50;

const IDP = 'https://idp.bench.test/metadata';
const SP = 'https://sp.bench.test/metadata';
const ACS = 'https://sp.bench.test/saml/acs';
const SSO = 'https://idp.bench.test/saml/sso';

export interface SamlRow extends Measurement {
  /** Set for the headline figures, which are held to SAML_AIM_OPS_PER_SECOND. */
  aim?: number;
}

export interface SamlBenchResult {
  headline: SamlRow[];
  breakdown: SamlRow[];
}

function attributesFor(user: number) {
  return [
    { name: 'email', values: [`user${user}@bench.test`] },
    { name: 'givenName', values: ['Ada'] },
    { name: 'sn', values: ['Lovelace'] },
    { name: 'groups', values: ['staff', `team-${user % 7}`] },
  ];
}

function loginResponse(user: number, requestId: string, now: Date): string {
  return buildLoginResponse({
    idpEntityId: IDP,
    spEntityId: SP,
    acsUrl: ACS,
    inResponseTo: requestId,
    nameId: { value: `user${user}@bench.test`, format: NAMEID_FORMAT.emailAddress },
    attributes: attributesFor(user),
    sessionIndex: `_session${user}`,
    now,
  });
}

function signingOptions(idp: Credential) {
  return { privateKeyPem: idp.key.privateKeyPem, certPem: idp.certPem, algorithm: 'rsa-sha256' as const };
}

/** The context under which every pooled Response must pass; the bench refuses to time a failing path. */
function contextFor(idp: Credential, requestId: string, now: Date): ResponseValidationContext {
  return {
    trustedCerts: [idp.certPem],
    idpEntityId: IDP,
    spEntityId: SP,
    acsUrl: ACS,
    expectedRequestId: requestId,
    now,
    requireSignedAssertion: true,
    requireSessionIndex: true,
  };
}

interface PooledResponse {
  xml: string;
  ctx: ResponseValidationContext;
}

async function signedResponsePool(idp: Credential, now: Date): Promise<PooledResponse[]> {
  const pool: PooledResponse[] = [];
  for (let i = 0; i < POOL_SIZE; i++) {
    const requestId = newId();
    const xml = signAssertions(loginResponse(i, requestId, now), signingOptions(idp));
    const ctx = contextFor(idp, requestId, now);
    const result = await validateResponse(xml, ctx);
    if (!result.ok) {
      const failed = result.findings.filter((f) => !f.ok && f.severity === 'must').map((f) => `${f.rule}: ${f.observed}`);
      throw new Error(`bench setup: a freshly signed Response does not validate, so timing it would be meaningless:\n  ${failed.join('\n  ')}`);
    }
    pool.push({ xml, ctx });
  }
  return pool;
}

function redirectUrlPool(sp: Credential, now: Date): string[] {
  const urls: string[] = [];
  for (let i = 0; i < POOL_SIZE; i++) {
    const xml = buildAuthnRequest({ issuer: SP, destination: SSO, assertionConsumerServiceUrl: ACS, now });
    urls.push(
      encodeRedirect({ endpoint: SSO, param: 'SAMLRequest', xml, relayState: `rs-${i}`, sign: { privateKeyPem: sp.key.privateKeyPem, algorithm: 'rsa-sha256' } }),
    );
  }
  return urls;
}

function rawQuery(url: string): string {
  return url.slice(url.indexOf('?') + 1);
}

export async function benchSaml(options: { seconds: number; log?: (line: string) => void }): Promise<SamlBenchResult> {
  const log = options.log ?? (() => {});
  const seconds = options.seconds;
  const partSeconds = Math.max(1, seconds / 3);
  log('generating RSA-2048 keys and certificates for the IdP and the SP...');
  const idp = createCredential({ type: 'rsa', bits: 2048 });
  const sp = createCredential({ type: 'rsa', bits: 2048 });
  const now = new Date();
  const signOpts = signingOptions(idp);

  log(`pre-building ${POOL_SIZE} signed Responses and ${POOL_SIZE} signed Redirect URLs...`);
  const responses = await signedResponsePool(idp, now);
  const urls = redirectUrlPool(sp, now);
  const authnRequests = Array.from({ length: POOL_SIZE }, () => buildAuthnRequest({ issuer: SP, destination: SSO, assertionConsumerServiceUrl: ACS, now }));
  const unsignedResponses = Array.from({ length: POOL_SIZE }, (_, i) => loginResponse(i, newId(), now));
  for (const url of urls) {
    if (!verifyRedirectSignature(decodeRedirectDocument(rawQuery(url)), [sp.certPem]).valid) {
      throw new Error('bench setup: a freshly signed Redirect URL does not verify');
    }
  }

  const headline: SamlRow[] = [];
  const breakdown: SamlRow[] = [];
  const run = async (target: SamlRow[], name: string, op: (i: number) => unknown, s: number, aim?: number) => {
    log(`  ${name} ...`);
    const m: SamlRow = await measure(name, op, { seconds: s });
    if (aim !== undefined) m.aim = aim;
    target.push(m);
  };

  let user = 0;
  await run(
    headline,
    'Response build + sign (signAssertions)',
    () => signAssertions(loginResponse(user++ % 1000, '_req' + user, now), signOpts),
    seconds,
    SAML_AIM_OPS_PER_SECOND,
  );
  await run(
    headline,
    'Response parse + verify + rules (validateResponse)',
    async (i) => {
      const { xml, ctx } = responses[i % POOL_SIZE];
      const result = await validateResponse(xml, ctx);
      if (!result.ok) throw new Error('a pooled Response stopped validating during the run');
    },
    seconds,
    SAML_AIM_OPS_PER_SECOND,
  );
  await run(headline, 'Redirect encode + sign (AuthnRequest)', (i) =>
    encodeRedirect({
      endpoint: SSO,
      param: 'SAMLRequest',
      xml: authnRequests[i % POOL_SIZE],
      relayState: `rs-${i}`,
      sign: { privateKeyPem: sp.key.privateKeyPem, algorithm: 'rsa-sha256' },
    }),
  seconds);
  await run(
    headline,
    'Redirect decode + parse + verify',
    (i) => {
      const msg = decodeRedirectDocument(rawQuery(urls[i % POOL_SIZE]));
      if (!verifyRedirectSignature(msg, [sp.certPem]).valid) throw new Error('a pooled Redirect URL stopped verifying');
    },
    seconds,
  );

  // Where the headline operations spend their time.
  const idpKey = crypto.createPrivateKey(idp.key.privateKeyPem);
  const idpPublic = new crypto.X509Certificate(idp.certPem).publicKey;
  const signedInfoSized = Buffer.from('x'.repeat(700));
  const rsaSig = crypto.sign('sha256', signedInfoSized, idpKey);
  await run(breakdown, 'buildLoginResponse only', () => loginResponse(user++ % 1000, '_req' + user, now), partSeconds);
  await run(breakdown, 'signAssertions only (pre-built, core engine)', (i) => signAssertions(unsignedResponses[i % POOL_SIZE], signOpts), partSeconds);
  await run(
    breakdown,
    'signAssertions only (xml-crypto engine)',
    (i) => signAssertions(unsignedResponses[i % POOL_SIZE], { ...signOpts, engine: 'xml-crypto' }),
    partSeconds,
  );
  await run(breakdown, 'RSA-2048 sign, 700 B, cached key (floor)', () => crypto.sign('sha256', signedInfoSized, idpKey), partSeconds);
  await run(breakdown, 'RSA-2048 sign, PEM parsed every time', () => crypto.sign('sha256', signedInfoSized, idp.key.privateKeyPem), partSeconds);
  await run(breakdown, 'parseXml of a signed Response', (i) => parseXml(responses[i % POOL_SIZE].xml), partSeconds);
  await run(breakdown, 'verifySignatures (core engine)', (i) => verifySignatures(responses[i % POOL_SIZE].xml, [idp.certPem]), partSeconds);
  await run(
    breakdown,
    'verifySignatures (xml-crypto engine)',
    (i) => verifySignatures(responses[i % POOL_SIZE].xml, [idp.certPem], { engine: 'xml-crypto' }),
    partSeconds,
  );
  await run(breakdown, 'RSA-2048 verify, cached key (floor)', () => crypto.verify('sha256', signedInfoSized, idpPublic, rsaSig), partSeconds);
  await run(breakdown, 'X509Certificate parse (per-call cert load)', () => new crypto.X509Certificate(idp.certPem).publicKey, partSeconds);
  return { headline, breakdown };
}
