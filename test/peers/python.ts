// Debian's /usr/bin/python3 with python3-lasso and python3-pysaml2 as independent SAML peers.
// (Not the pyenv python on PATH: only the system interpreter has the Debian packages.)
//
//   PYTHON3 = '/usr/bin/python3'
//   runPython(script: string, stdin?: string, opts?: { timeoutMs?: number; args?: string[]; cwd?: string }): PythonResult
//       PythonResult = { ok: boolean; status: number | null; stdout: string; stderr: string }
//   requirePythonModules(...modules: string[]): void     throws a clear Error naming what is missing
//   runPythonJson<T>(script: string, input: unknown, opts?): T
//       input is JSON on stdin (`json.load(sys.stdin)`); the script prints one JSON value as its
//       last stdout line; throws with stderr when the script fails.
//
// SAML peers (each a real library's normal code path; metadata is built from `peer`):
//   SamlPeer = { idpEntityId: string; spEntityId: string; acsUrl: string; ssoUrl?: string }
//   idpCertPem may be one PEM or several (one signing KeyDescriptor each) for the SP-side helpers.
//   lassoSpProcessResponse(responseXml, peer & { idpCertPem }): PeerVerdict
//   lassoSpProcessResponses(responses: string[], peer & { idpCertPem }): PeerVerdict[]   (one process)
//       lasso.Login.processAuthnResponseMsg + acceptSso, as a lasso SP would. lasso 2.8 has no ECDSA.
//   lassoIdpIssueResponse(peer & { idpKeyPem, idpCertPem, signatureMethod? }): string
//       an IdP-initiated Response (persistent NameID) built and signed by lasso: Response and Assertion.
//   pysaml2SpProcessResponse(responseXml, peer & { idpCertPem, wantAssertionsSigned?, wantResponseSigned? }): PeerVerdict
//   pysaml2SpProcessResponses(responses: string[], peer & {...}): PeerVerdict[]           (one process; pysaml2 loads slowly)
//       saml2.client.Saml2Client.parse_authn_request_response (unsolicited allowed), which checks
//       signatures through xmlsec1 plus times, audience and destination: send current messages.
//   pysaml2IdpIssueResponse(peer & { idpKeyPem, idpCertPem, signResponse?, signAssertion?, nameId? }): string
//       saml2.server.Server.create_authn_response, signed by pysaml2 (through xmlsec1).
//   PeerVerdict = { accepted: boolean; error?: string; nameId?: string }
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { certToBase64 } from '../../saml/keys.ts';
import { withTempDir, writeFiles } from './tmp.ts';

export const PYTHON3 = '/usr/bin/python3';
const DEFAULT_TIMEOUT_MS = 30_000;

export interface PythonResult {
  ok: boolean;
  status: number | null;
  stdout: string;
  stderr: string;
}
export interface PythonOptions {
  timeoutMs?: number;
  args?: string[];
  cwd?: string;
}

export function runPython(script: string, stdin?: string, opts: PythonOptions = {}): PythonResult {
  if (!existsSync(PYTHON3)) throw new Error(`${PYTHON3} is required for this test and is missing`);
  const r = spawnSync(PYTHON3, ['-c', script, ...(opts.args ?? [])], {
    input: stdin ?? '',
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    cwd: opts.cwd,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' },
  });
  if (r.error) throw new Error(`${PYTHON3} did not run: ${r.error.message}`);
  return { ok: r.status === 0, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function requirePythonModules(...modules: string[]): void {
  const script = `import importlib, sys\nmissing = []\nfor m in sys.argv[1:]:\n    try:\n        importlib.import_module(m)\n    except Exception as e:\n        missing.append(m + ' (' + str(e) + ')')\nprint('\\n'.join(missing))`;
  const r = runPython(script, undefined, { args: modules });
  const missing = r.stdout.trim();
  if (!r.ok || missing) {
    throw new Error(`${PYTHON3} lacks required modules: ${missing || r.stderr} (Debian packages python3-lasso / python3-pysaml2)`);
  }
}

export function runPythonJson<T>(script: string, input: unknown, opts: PythonOptions = {}): T {
  const r = runPython(script, JSON.stringify(input), opts);
  if (!r.ok) throw new Error(`python script failed (${r.status}):\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]) as T;
  } catch {
    throw new Error(`python script printed no JSON result:\n${r.stdout}\n${r.stderr}`);
  }
}

export interface SamlPeer {
  idpEntityId: string;
  spEntityId: string;
  acsUrl: string;
  ssoUrl?: string;
}
export interface PeerVerdict {
  accepted: boolean;
  error?: string;
  nameId?: string;
}

// Shared Python: minimal metadata for both sides, from the JSON input.
const METADATA_PY = String.raw`
import json, sys, base64
cfg = json.load(sys.stdin)
def idp_metadata(cfg):
    return ('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="%s">'
      '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
      '%s'
      '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="%s"/>'
      '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="%s"/>'
      '</md:IDPSSODescriptor></md:EntityDescriptor>') % (cfg['idpEntityId'], ''.join(
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>' % c
        for c in cfg['idpCertsB64']), cfg['ssoUrl'], cfg['ssoUrl'])
def sp_metadata(cfg):
    return ('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="%s">'
      '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAssertionsSigned="true">'
      '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="%s" index="0" isDefault="true"/>'
      '</md:SPSSODescriptor></md:EntityDescriptor>') % (cfg['spEntityId'], cfg['acsUrl'])
`;

/** One certificate, or several: each becomes a signing KeyDescriptor in the IdP's metadata. */
type IdpCerts = { idpCertPem: string | string[] };

function peerInput(peer: SamlPeer & IdpCerts, extra: Record<string, unknown> = {}) {
  const certs = Array.isArray(peer.idpCertPem) ? peer.idpCertPem : [peer.idpCertPem];
  return {
    idpEntityId: peer.idpEntityId,
    spEntityId: peer.spEntityId,
    acsUrl: peer.acsUrl,
    ssoUrl: peer.ssoUrl ?? `${peer.idpEntityId.replace(/\/+$/, '')}/sso`,
    idpCertsB64: certs.map((c) => certToBase64(c)),
    ...extra,
  };
}

const LASSO_SP_PY =
  METADATA_PY +
  String.raw`
import lasso
server = lasso.Server.newFromBuffers(sp_metadata(cfg))
server.addProviderFromBuffer(lasso.PROVIDER_ROLE_IDP, idp_metadata(cfg))
out = []
for response in cfg['responses']:
    login = lasso.Login(server)
    try:
        login.processAuthnResponseMsg(base64.b64encode(response.encode()).decode())
        login.acceptSso()
        subject = login.assertion.subject if login.assertion else None
        out.append({'accepted': True, 'nameId': subject.nameID.content if subject and subject.nameID else None})
    except lasso.Error as e:
        out.append({'accepted': False, 'error': type(e).__name__ + ': ' + str(e)})
print(json.dumps(out))
`;

/** One Python process for many responses: starting the interpreter and library dominates. */
export function lassoSpProcessResponses(responses: string[], peer: SamlPeer & IdpCerts): PeerVerdict[] {
  requirePythonModules('lasso');
  return runPythonJson<PeerVerdict[]>(LASSO_SP_PY, peerInput(peer, { responses }));
}

export function lassoSpProcessResponse(responseXml: string, peer: SamlPeer & IdpCerts): PeerVerdict {
  return lassoSpProcessResponses([responseXml], peer)[0];
}

const LASSO_IDP_PY =
  METADATA_PY +
  String.raw`
import lasso, time
methods = {'rsa-sha1': lasso.SIGNATURE_METHOD_RSA_SHA1, 'rsa-sha256': lasso.SIGNATURE_METHOD_RSA_SHA256, 'rsa-sha512': lasso.SIGNATURE_METHOD_RSA_SHA512}
server = lasso.Server.newFromBuffers(idp_metadata(cfg), cfg['idpKeyPem'], None, cfg['idpCertPem'])
server.signatureMethod = methods[cfg.get('signatureMethod') or 'rsa-sha256']
server.addProviderFromBuffer(lasso.PROVIDER_ROLE_SP, sp_metadata(cfg))
login = lasso.Login(server)
login.initIdpInitiatedAuthnRequest(cfg['spEntityId'])
login.request.protocolBinding = lasso.SAML2_METADATA_BINDING_POST
login.request.nameIdPolicy.format = lasso.SAML2_NAME_IDENTIFIER_FORMAT_PERSISTENT
login.request.nameIdPolicy.allowCreate = True
login.processAuthnRequestMsg(None)
login.validateRequestMsg(True, True)
fmt = lambda t: time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(t))
now = time.time()
login.buildAssertion(lasso.SAML2_AUTHN_CONTEXT_PASSWORD, fmt(now), None, fmt(now - 300), fmt(now + 300))
login.buildAuthnResponseMsg()
print(json.dumps(base64.b64decode(login.msgBody).decode()))
`;

export function lassoIdpIssueResponse(
  peer: SamlPeer & { idpKeyPem: string; idpCertPem: string; signatureMethod?: 'rsa-sha1' | 'rsa-sha256' | 'rsa-sha512' },
): string {
  requirePythonModules('lasso');
  return runPythonJson<string>(
    LASSO_IDP_PY,
    peerInput(peer, { idpKeyPem: peer.idpKeyPem, idpCertPem: peer.idpCertPem, signatureMethod: peer.signatureMethod }),
  );
}

// pysaml2 reads keys and certificates from files; the script gets their paths.
const PYSAML2_SP_PY =
  METADATA_PY +
  String.raw`
from saml2.config import SPConfig
from saml2.client import Saml2Client
from saml2 import BINDING_HTTP_POST
conf = SPConfig()
conf.load({'entityid': cfg['spEntityId'], 'xmlsec_binary': '/usr/bin/xmlsec1', 'metadata': {'inline': [idp_metadata(cfg)]},
  'service': {'sp': {'endpoints': {'assertion_consumer_service': [(cfg['acsUrl'], BINDING_HTTP_POST)]},
     'want_assertions_signed': cfg['wantAssertionsSigned'], 'want_response_signed': cfg['wantResponseSigned'], 'allow_unsolicited': True}}})
client = Saml2Client(conf)
out = []
for response in cfg['responses']:
    try:
        r = client.parse_authn_request_response(base64.b64encode(response.encode()).decode(), BINDING_HTTP_POST)
        if r is None:
            out.append({'accepted': False, 'error': 'no response object'})
        else:
            out.append({'accepted': True, 'nameId': r.name_id.text if r.name_id is not None else None})
    except Exception as e:
        out.append({'accepted': False, 'error': type(e).__name__ + ': ' + str(e)})
print(json.dumps(out))
`;

type Pysaml2SpPeer = SamlPeer & IdpCerts & { wantAssertionsSigned?: boolean; wantResponseSigned?: boolean };

/** One Python process for many responses: importing pysaml2 takes seconds. */
export function pysaml2SpProcessResponses(responses: string[], peer: Pysaml2SpPeer): PeerVerdict[] {
  requirePythonModules('saml2');
  return runPythonJson<PeerVerdict[]>(
    PYSAML2_SP_PY,
    peerInput(peer, {
      responses,
      wantAssertionsSigned: peer.wantAssertionsSigned ?? true,
      wantResponseSigned: peer.wantResponseSigned ?? false,
    }),
    { timeoutMs: 60_000 },
  );
}

export function pysaml2SpProcessResponse(responseXml: string, peer: Pysaml2SpPeer): PeerVerdict {
  return pysaml2SpProcessResponses([responseXml], peer)[0];
}

const PYSAML2_IDP_PY =
  METADATA_PY +
  String.raw`
from saml2.config import IdPConfig
from saml2.server import Server
from saml2 import BINDING_HTTP_POST
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
conf = IdPConfig()
conf.load({'entityid': cfg['idpEntityId'], 'xmlsec_binary': '/usr/bin/xmlsec1', 'metadata': {'inline': [sp_metadata(cfg)]},
  'key_file': cfg['keyFile'], 'cert_file': cfg['certFile'],
  'service': {'idp': {'endpoints': {'single_sign_on_service': [(cfg['ssoUrl'], BINDING_HTTP_POST)]},
     'policy': {'default': {'lifetime': {'minutes': 5}, 'attribute_restrictions': None}}}}})
idp = Server(config=conf)
resp = idp.create_authn_response({'mail': [cfg['nameId']]}, in_response_to=None, destination=cfg['acsUrl'], sp_entity_id=cfg['spEntityId'],
   name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=cfg['nameId']), authn={'class_ref': 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password'},
   sign_response=cfg['signResponse'], sign_assertion=cfg['signAssertion'])
print(json.dumps(str(resp)))
`;

export function pysaml2IdpIssueResponse(
  peer: SamlPeer & { idpKeyPem: string; idpCertPem: string; signResponse?: boolean; signAssertion?: boolean; nameId?: string },
): string {
  requirePythonModules('saml2');
  return withTempDir((dir) => {
    const f = writeFiles(dir, { 'key.pem': peer.idpKeyPem, 'cert.pem': peer.idpCertPem });
    return runPythonJson<string>(
      PYSAML2_IDP_PY,
      peerInput(peer, {
        keyFile: f['key.pem'],
        certFile: f['cert.pem'],
        signResponse: peer.signResponse ?? true,
        signAssertion: peer.signAssertion ?? true,
        nameId: peer.nameId ?? 'alice@example.test',
      }),
      { cwd: dir, timeoutMs: 60_000 },
    );
  });
}
