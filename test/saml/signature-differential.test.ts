// Differential test of the signature verifier: the default 'core' engine, the 'xml-crypto' engine
// and xmlsec1 (libxmlsec1, independent) judge the same documents, signature by signature.
//
// Documents: Responses signed by samlconf (RSA and ECDSA, assertion only or both), by xmlsec1 (with
// an InclusiveNamespaces PrefixList and an inclusively canonicalized SignedInfo), by lasso and by
// pysaml2 as IdPs; each as signed, then in every shape of saml/attacks (XSW1-8, the relocation of
// CVE-2025-47949, a comment in the signed NameID), plus tampered / emptied / wrong-key controls.
// Then every other document xmlsec1 signs in signature-interop.test.ts, as signed and altered.
//
// For every ds:Signature (document order) both engines must give the same verdict and cover the same
// element (its ID) with the same canonical bytes, and the core engine must answer the same on the
// parsed document as on the text. xmlsec1 answers a narrower question: does the signature verify
// over whatever its Reference resolves to. A SAML signature is valid only when that is the element
// holding it (core 5.4.2), so its verdict here is "xmlsec1 OK and the bytes it digested
// (--store-references) are that element": our engines' valid-ness must equal that, and when valid
// the bytes xmlsec1 digested must be exactly the signedXml we return.
//
// xmlsec1 verifies one signature per process and stops at the first failing file, so each signature
// costs one process (~50 ms of CPU): the documents are limited to what the question needs, and the
// calls run two at a time. DIFF_TABLE=1 prints the signer x shape table.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectNameIdComment } from '../../saml/attacks/comment-injection.ts';
import { XSW_SHAPES, relocateAssertionSignature, wrapSignature } from '../../saml/attacks/wrapping.ts';
import { NS, TRANSFORM } from '../../saml/constants.ts';
import { createCredential, type Credential } from '../../saml/keys.ts';
import { signAssertions, signRoot, verifyDocumentSignatures, verifySignatures, type SignatureCheck, type SignOptions } from '../../saml/signature.ts';
import { type Element, child, descendants, parseXml, serialize } from '../../saml/xml.ts';
import { ACS, authnRequestXml, IDP, responseXml, SP } from '../fixtures/signature/messages.ts';
import { lassoIdpIssueResponse, pysaml2IdpIssueResponse, requirePythonModules } from '../peers/python.ts';
import { insertSignatureTemplate, requireXmlsec1, signatureTemplate, XMLSEC1, xmlsec1SignTemplate, xmlsec1Sign } from '../peers/xmlsec.ts';

const RESPONSE_ID = '_r0123456789abcdef0123456789abcdef01234567';
const ASSERTION_ID = '_a0123456789abcdef0123456789abcdef01234567';
const EVIL = 'mallory@evil.test';
const ID_ATTRS = [`${NS.samlp}:Response`, `${NS.saml}:Assertion`, `${NS.samlp}:AuthnRequest`];
// Seconds on an idle 2-core machine; minutes when other test runs share it.
const SETUP_TIMEOUT = 300_000;
const XMLSEC_CONCURRENCY = 2;

interface Base {
  signer: string;
  xml: string;
  cred: Credential;
}
interface Doc {
  signer: string;
  shape: string;
  xml: string;
  /** The one certificate both engines and xmlsec1 trust. */
  certPem: string;
}
/** One signature's answer from one verifier. */
interface Verdict {
  valid: boolean;
  /** ID of the element the signature covers (valid only). */
  covered?: string;
  /** The canonical bytes covered (valid only). */
  bytes?: string;
  reason?: string;
}
interface Row {
  doc: Doc;
  index: number;
  /** ID of the element holding the signature. */
  holder?: string;
  /** How many ds:Signature the document holds, and how many checks each engine returned. */
  counts: { signatures: number; core: number; coreDom: number; xmlCrypto: number };
  core: Verdict;
  coreDom: Verdict;
  xmlCrypto: Verdict;
  xmlsec1Ok: boolean;
  /** xmlsec1's verdict on the SAML question (OK, over the holder). */
  xmlsec1: Verdict;
}

let rsa: Credential;
let ec: Credential;
let attacker: Credential;
let docs: Doc[] = [];
let rows: Row[] = [];
let workDir: string;

const opts = (c: Credential, extra: Partial<SignOptions> = {}): SignOptions => ({ privateKeyPem: c.key.privateKeyPem, certPem: c.certPem, ...extra });

function bases(): Base[] {
  const unsigned = responseXml();
  const peer = { idpEntityId: IDP, spEntityId: SP, acsUrl: ACS };
  // xmlsec1 fills the first template in document order: the assertion first, then the Response.
  const xmlsecAssertion = xmlsec1Sign(unsigned, ASSERTION_ID, rsa.key.privateKeyPem, rsa.certPem, { prefixList: ['xs'] });
  const xmlsecBoth = xmlsec1SignTemplate(
    insertSignatureTemplate(xmlsecAssertion, signatureTemplate({ id: RESPONSE_ID, signedInfoC14n: 'inclusive' }), RESPONSE_ID),
    rsa.key.privateKeyPem,
    rsa.certPem,
  );
  return [
    { signer: 'samlconf (assertion)', xml: signAssertions(unsigned, opts(rsa)), cred: rsa },
    { signer: 'samlconf (both)', xml: signRoot(signAssertions(unsigned, opts(rsa)), opts(rsa)), cred: rsa },
    { signer: 'samlconf ecdsa (both)', xml: signRoot(signAssertions(unsigned, opts(ec)), opts(ec)), cred: ec },
    { signer: 'xmlsec1 (both)', xml: xmlsecBoth, cred: rsa },
    { signer: 'lasso (both)', xml: lassoIdpIssueResponse({ ...peer, idpKeyPem: rsa.key.privateKeyPem, idpCertPem: rsa.certPem }), cred: rsa },
    {
      signer: 'pysaml2 (both)',
      xml: pysaml2IdpIssueResponse({ ...peer, idpKeyPem: rsa.key.privateKeyPem, idpCertPem: rsa.certPem, nameId: 'alice@example.test' }),
      cred: rsa,
    },
  ];
}

/**
 * The other documents xmlsec1 signs in test/saml/signature-interop.test.ts (algorithms, digests,
 * canonicalization options, an ECDSA AuthnRequest), each as signed and with its content altered.
 */
function xmlsec1Variants(): Doc[] {
  const rsa384 = { signatureMethodUri: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384', digestMethodUri: 'http://www.w3.org/2001/04/xmldsig-more#sha384' };
  const ecdsa512 = { signatureMethodUri: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512', digest: 'sha512' as const };
  const variants: Array<{ name: string; cred: Credential; template: Parameters<typeof xmlsec1Sign>[4] }> = [
    { name: 'rsa-sha1', cred: rsa, template: { algorithm: 'rsa-sha1' } },
    { name: 'rsa-sha512', cred: rsa, template: { algorithm: 'rsa-sha512' } },
    { name: 'ecdsa-sha256', cred: ec, template: { algorithm: 'ecdsa-sha256' } },
    { name: 'rsa-sha384, sha384 digest', cred: rsa, template: rsa384 },
    { name: 'ecdsa-sha512', cred: ec, template: ecdsa512 },
    { name: 'PrefixList xs xsi', cred: rsa, template: { prefixList: ['xs', 'xsi'] } },
    { name: 'no KeyInfo', cred: rsa, template: { x509Data: false } },
  ];
  const docsOut: Doc[] = [];
  const both = (name: string, xml: string, cred: Credential, tampered: string) => {
    expect(tampered).not.toBe(xml);
    docsOut.push({ signer: 'xmlsec1 variants', shape: name, xml, certPem: cred.certPem });
    docsOut.push({ signer: 'xmlsec1 variants', shape: `${name}, tampered`, xml: tampered, certPem: cred.certPem });
  };
  const alter = (xml: string) => xml.replace('alice@example.test</saml:NameID>', `${EVIL}</saml:NameID>`);
  for (const v of variants) {
    const xml = xmlsec1Sign(responseXml(), RESPONSE_ID, v.cred.key.privateKeyPem, v.cred.certPem, v.template);
    both(v.name, xml, v.cred, alter(xml));
  }
  // SignedInfo itself canonicalized with an InclusiveNamespaces PrefixList (the canonicalizer writes
  // into its input: the core engine must copy).
  const template = signatureTemplate({ id: RESPONSE_ID, prefixList: ['xs'] }).replace(
    `<ds:CanonicalizationMethod Algorithm="${TRANSFORM.excC14n}"/>`,
    `<ds:CanonicalizationMethod Algorithm="${TRANSFORM.excC14n}"><ec:InclusiveNamespaces xmlns:ec="${TRANSFORM.excC14n}" PrefixList="xs xsi"/></ds:CanonicalizationMethod>`,
  );
  const withPrefixes = xmlsec1SignTemplate(insertSignatureTemplate(responseXml(), template, RESPONSE_ID), rsa.key.privateKeyPem, rsa.certPem);
  both('SignedInfo PrefixList', withPrefixes, rsa, alter(withPrefixes));
  const request = xmlsec1Sign(authnRequestXml(), '_q0123456789abcdef0123456789abcdef01234567', ec.key.privateKeyPem, ec.certPem, { algorithm: 'ecdsa-sha256' });
  both('AuthnRequest ecdsa-sha256', request, ec, request.replace(`AssertionConsumerServiceURL="${ACS}"`, 'AssertionConsumerServiceURL="https://evil.example.test/acs"'));
  return docsOut;
}

function firstNameId(xml: string): Element {
  const nameId = descendants(parseXml(xml).documentElement!, NS.saml, 'NameID')[0];
  if (!nameId) throw new Error('no NameID');
  return nameId;
}

/** DOM edit of the first NameID (or each SignatureValue): text in, text out. */
function edit(xml: string, change: (doc: ReturnType<typeof parseXml>) => void): string {
  const doc = parseXml(xml);
  change(doc);
  return serialize(doc);
}

/**
 * Every attack shape of saml/attacks the base's signatures allow, and the controls. `attacks: false`
 * keeps only the document as signed (and the controls): for the ECDSA base, which differs from the
 * RSA one in its key type and signature values only, not in anything a shape moves.
 */
function shapes(base: Base, { attacks, controls }: { attacks: boolean; controls: boolean }): Doc[] {
  const out: Doc[] = [];
  const add = (shape: string, make: () => string, certPem = base.cred.certPem) => {
    let xml: string;
    try {
      xml = make();
    } catch (err) {
      // A shape that needs a signature the base does not carry (XSW1/2 need the Response's).
      if (/carries no enveloped signature|no saml:Assertion child/.test((err as Error).message)) return;
      throw err;
    }
    out.push({ signer: base.signer, shape, xml, certPem });
  };
  add('as signed', () => base.xml);
  if (attacks) for (const shape of XSW_SHAPES) add(shape, () => wrapSignature(base.xml, shape, { nameId: EVIL }));
  if (attacks) {
    add('relocation', () => relocateAssertionSignature(base.xml, { nameId: EVIL }));
    add('comment injection', () => {
      const value = firstNameId(base.xml).textContent ?? '';
      return injectNameIdComment(base.xml, value, value.slice(0, Math.ceil(value.length / 2)));
    });
  }
  if (controls) {
    add('tampered NameID', () =>
      edit(base.xml, (doc) => {
        const nameId = descendants(doc.documentElement!, NS.saml, 'NameID')[0];
        nameId.replaceChild(doc.createTextNode(EVIL), nameId.firstChild!);
      }),
    );
    add('empty SignatureValue', () =>
      edit(base.xml, (doc) => {
        for (const sig of descendants(doc.documentElement!, NS.ds, 'Signature')) {
          const value = child(sig, NS.ds, 'SignatureValue')!;
          while (value.firstChild) value.removeChild(value.firstChild);
        }
      }),
    );
    add('untrusted certificate', () => base.xml, attacker.certPem);
  }
  return out;
}

function verdictOf(check: SignatureCheck | undefined): Verdict {
  if (!check) return { valid: false, reason: 'no check' };
  if (!check.valid) return { valid: false, reason: check.reason };
  return { valid: true, covered: check.signedElement?.getAttribute('ID') ?? undefined, bytes: check.signedXml };
}

function runXmlsec1(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(XMLSEC1, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const PREDIGEST = /== PreDigest data - start buffer:\n([\s\S]*?)\n== PreDigest data - end buffer/;

/** xmlsec1 on the index-th ds:Signature (1-based, document order), with only `certPem` trusted. */
async function xmlsec1Judge(docFile: string, certFile: string, index: number, holder: Element | null): Promise<{ ok: boolean; verdict: Verdict; stderr: string }> {
  const r = await runXmlsec1([
    '--verify',
    '--pubkey-cert-pem',
    certFile,
    // As test/peers/xmlsec.ts: same-document references only; KeyInfo never picks the key.
    '--enabled-reference-uris',
    'same-doc',
    '--enabled-key-data',
    'raw-x509-cert',
    ...ID_ATTRS.flatMap((a) => ['--id-attr:ID', a]),
    '--store-references',
    '--node-xpath',
    `(//*[local-name()='Signature' and namespace-uri()='${NS.ds}'])[${index}]`,
    docFile,
  ]);
  const ok = r.status === 0 && /^OK$/m.test(r.stderr);
  if (!ok) return { ok, verdict: { valid: false, reason: r.stderr.trim().split('\n').slice(-4).join(' | ') }, stderr: r.stderr };
  const bytes = PREDIGEST.exec(r.stdout)?.[1];
  if (bytes === undefined) throw new Error(`xmlsec1 said OK but printed no pre-digest data for ${docFile} #${index}`);
  const covered = parseXml(bytes).documentElement!;
  const id = covered.getAttribute('ID') ?? undefined;
  // The SAML question: is what it digested the element holding the signature?
  const overHolder = !!holder && id === holder.getAttribute('ID') && covered.localName === holder.localName && covered.namespaceURI === holder.namespaceURI;
  return {
    ok,
    verdict: overHolder ? { valid: true, covered: id, bytes } : { valid: false, reason: `xmlsec1 verified it over ${covered.localName} ID="${id}", not the holder` },
    stderr: r.stderr,
  };
}

beforeAll(async () => {
  requireXmlsec1();
  requirePythonModules('lasso', 'saml2');
  rsa = createCredential({ type: 'rsa' }, { commonName: 'idp.example.test' });
  ec = createCredential({ type: 'ec' }, { commonName: 'idp-ec.example.test' });
  attacker = createCredential({ type: 'rsa' }, { commonName: 'attacker.example.test' });
  const started = Date.now();
  const all = bases();
  const signed = Date.now();
  // Controls (key pinning, digests, not shapes) on our RSA and ECDSA bases and on each peer's.
  docs = all.flatMap((b) =>
    shapes(b, { attacks: !b.signer.includes('ecdsa'), controls: /^samlconf (ecdsa )?\(both\)|lasso|pysaml2/.test(b.signer) }),
  );
  docs.push(...xmlsec1Variants());

  workDir = mkdtempSync(join(tmpdir(), 'samlconf-diff-'));
  const certFiles = new Map<string, string>();
  const certFile = (pem: string) => {
    if (!certFiles.has(pem)) {
      const f = join(workDir, `cert-${certFiles.size}.pem`);
      writeFileSync(f, pem);
      certFiles.set(pem, f);
    }
    return certFiles.get(pem)!;
  };
  type Job = { doc: Doc; file: string; index: number; holder: Element | null; checks: Record<'core' | 'coreDom' | 'xmlCrypto', SignatureCheck[]> };
  const perDoc: Job[][] = docs.map((doc, d) => {
    const file = join(workDir, `doc-${d}.xml`);
    writeFileSync(file, doc.xml);
    const checks = {
      core: verifySignatures(doc.xml, [doc.certPem]),
      coreDom: verifyDocumentSignatures(parseXml(doc.xml), [doc.certPem]),
      xmlCrypto: verifySignatures(doc.xml, [doc.certPem], { engine: 'xml-crypto' }),
    };
    return descendants(parseXml(doc.xml), NS.ds, 'Signature').map((sig, i) => {
      const parent = sig.parentNode;
      return { doc, file, index: i + 1, holder: parent && parent.nodeType === 1 ? (parent as Element) : null, checks };
    });
  });
  const verified = Date.now();
  type Judged = Awaited<ReturnType<typeof xmlsec1Judge>>;
  // A document xmlsec1 refuses to load (a duplicate ID) is refused whichever signature is asked
  // for: its first answer stands for the rest, which saves a process per signature.
  const judgedPerDoc = await pool(perDoc, XMLSEC_CONCURRENCY, async (jobs) => {
    const out: Judged[] = [];
    for (const j of jobs) {
      const refusedAtLoad = out.find((o) => /duplicate ID attribute[\s\S]*failed to load document/.test(o.stderr));
      out.push(refusedAtLoad ?? (await xmlsec1Judge(j.file, certFile(j.doc.certPem), j.index, j.holder)));
    }
    return out;
  });
  rows = perDoc.flatMap((jobs, d) =>
    jobs.map((j, n) => ({
      doc: j.doc,
      index: j.index,
      holder: j.holder?.getAttribute('ID') ?? undefined,
      counts: { signatures: jobs.length, core: j.checks.core.length, coreDom: j.checks.coreDom.length, xmlCrypto: j.checks.xmlCrypto.length },
      core: verdictOf(j.checks.core[j.index - 1]),
      coreDom: verdictOf(j.checks.coreDom[j.index - 1]),
      xmlCrypto: verdictOf(j.checks.xmlCrypto[j.index - 1]),
      xmlsec1Ok: judgedPerDoc[d][n].ok,
      xmlsec1: judgedPerDoc[d][n].verdict,
    })),
  );
  if (process.env.DIFF_TABLE) {
    printTable();
    console.log(`signing (peers included) ${signed - started} ms, shapes and engines ${verified - signed} ms, xmlsec1 ${Date.now() - verified} ms`);
  }
}, SETUP_TIMEOUT);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const label = (r: Row) => `${r.doc.signer} / ${r.doc.shape} / signature #${r.index} in ${r.holder ?? '?'}`;
const short = (v: Verdict) => (v.valid ? `valid over ${v.covered}` : `invalid (${v.reason})`);

function printTable(): void {
  const cell = (r: Row) => `${r.core.valid ? 'V' : '-'}${r.xmlCrypto.valid ? 'V' : '-'}${r.xmlsec1Ok ? (r.xmlsec1.valid ? 'V' : 'o') : '-'}`;
  const signers = [...new Set(docs.map((d) => d.signer))];
  const shapeNames = [...new Set(docs.map((d) => d.shape))];
  const lines = [`signature verdicts per signer and shape: core / xml-crypto / xmlsec1 (V valid, o xmlsec1 OK over another element, - invalid), one triple per signature`];
  lines.push(['shape'.padEnd(36), ...signers.map((s) => s.padEnd(22))].join(''));
  for (const shape of shapeNames) {
    const cells = signers.map((s) =>
      rows
        .filter((r) => r.doc.signer === s && r.doc.shape === shape)
        .map(cell)
        .join(' ')
        .padEnd(22),
    );
    lines.push([shape.padEnd(36), ...cells].join(''));
  }
  lines.push(`${docs.length} documents, ${rows.length} signatures`);
  console.log(lines.join('\n'));
}

describe('signature verifier: core engine, xml-crypto engine and xmlsec1 on every attack shape and peer signature', () => {
  it('holds every shape of saml/attacks for every signer whose signatures allow it', () => {
    const signers = [...new Set(docs.map((d) => d.signer))];
    expect(signers).toEqual(['samlconf (assertion)', 'samlconf (both)', 'samlconf ecdsa (both)', 'xmlsec1 (both)', 'lasso (both)', 'pysaml2 (both)', 'xmlsec1 variants']);
    for (const signer of signers.filter((s) => !/ecdsa|variants/.test(s))) {
      const shapesHere = docs.filter((d) => d.signer === signer).map((d) => d.shape);
      const xsw = signer === 'samlconf (assertion)' ? XSW_SHAPES.filter((s) => s !== 'xsw1' && s !== 'xsw2') : XSW_SHAPES;
      for (const s of [...xsw, 'relocation', 'comment injection', 'as signed']) expect(shapesHere, signer).toContain(s);
    }
    // Every signer's own signatures are valid as signed, for all three.
    const asSigned = (k: Row) => k.doc.shape === 'as signed' || (k.doc.signer === 'xmlsec1 variants' && !k.doc.shape.endsWith('tampered'));
    for (const r of rows.filter(asSigned)) {
      expect([r.core.valid, r.xmlCrypto.valid, r.xmlsec1.valid], label(r)).toEqual([true, true, true]);
    }
    for (const r of rows.filter((k) => k.doc.signer === 'xmlsec1 variants' && k.doc.shape.endsWith('tampered'))) {
      expect([r.core.valid, r.xmlCrypto.valid, r.xmlsec1Ok], label(r)).toEqual([false, false, false]);
    }
  });

  it('both engines give the same verdict over the same element and bytes, on the text and on the parsed document', () => {
    for (const r of rows) {
      const n = r.counts.signatures;
      expect(r.counts, label(r)).toEqual({ signatures: n, core: n, coreDom: n, xmlCrypto: n });
    }
    const disagreements = rows
      .filter(
        (r) =>
          r.core.valid !== r.xmlCrypto.valid ||
          r.core.covered !== r.xmlCrypto.covered ||
          r.core.bytes !== r.xmlCrypto.bytes ||
          r.core.valid !== r.coreDom.valid ||
          r.core.bytes !== r.coreDom.bytes,
      )
      .map((r) => `${label(r)}: core ${short(r.core)}, core on DOM ${short(r.coreDom)}, xml-crypto ${short(r.xmlCrypto)}`);
    expect(disagreements).toEqual([]);
  });

  it("valid-ness is xmlsec1's (OK over the element holding the signature), and xmlsec1 digested exactly the bytes returned", () => {
    const disagreements = rows
      .filter((r) => r.core.valid !== r.xmlsec1.valid || (r.core.valid && (r.core.covered !== r.xmlsec1.covered || r.core.bytes !== r.xmlsec1.bytes)))
      .map((r) => `${label(r)}: core ${short(r.core)}, xmlsec1 ${short(r.xmlsec1)}`);
    expect(disagreements).toEqual([]);
  });

  it('what is valid covers the signed identity only, never the evil one', () => {
    for (const r of rows.filter((k) => k.core.valid)) {
      expect(r.core.covered, label(r)).toBe(r.holder);
      expect(r.core.bytes, label(r)).not.toContain(EVIL);
    }
  });
});
