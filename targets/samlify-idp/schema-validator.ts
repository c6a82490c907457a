// samlify refuses to parse any message until a schema validator is set. None of samlify's
// validator packages is installed here, so this one runs xmllint against the SAML 2.0 protocol
// XSD (which pulls in the assertion, XML-DSig and XML-Enc schemas). The W3C schemas are imported
// by their web URLs; an XML catalog maps those to the local copies so nothing touches the network.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_XSD_DIR = '/usr/lib/python3/dist-packages/saml2/data/schemas';
const PROTOCOL_XSD = 'saml-schema-protocol-2.0.xsd';
const WEB_TO_LOCAL: Record<string, string> = {
  'http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd': 'xmldsig-core-schema.xsd',
  'http://www.w3.org/TR/2002/REC-xmlenc-core-20021210/xenc-schema.xsd': 'xenc-schema.xsd',
};
const TIMEOUT_MS = 5000;

export interface SchemaValidator {
  validate(xml: string): Promise<string>;
}

/** Checks that xmllint and the XSDs are present; throws a message that says what to install. */
export function createXmllintValidator(xsdDir: string, stateDir: string): SchemaValidator {
  const missing = [PROTOCOL_XSD, ...Object.values(WEB_TO_LOCAL)].filter((f) => !existsSync(join(xsdDir, f)));
  if (missing.length > 0) {
    throw new Error(
      `the SAML 2.0 XSDs for samlify's schema validator are missing: ${missing.join(', ')} not found in ${xsdDir}. ` +
        'Install python3-pysaml2 (Debian: apt-get install -y python3-pysaml2) or point SAMLCONF_SAML_XSD_DIR at a folder holding them.',
    );
  }
  if (spawnSync('xmllint', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error("samlify's schema validator needs xmllint on PATH (Debian: apt-get install -y libxml2-utils).");
  }
  mkdirSync(stateDir, { recursive: true });
  const catalogFile = join(stateDir, 'xsd-catalog.xml');
  const entries = Object.entries(WEB_TO_LOCAL)
    .map(([web, local]) => `  <uri name="${web}" uri="file://${join(xsdDir, local)}"/>`)
    .join('\n');
  writeFileSync(
    catalogFile,
    `<?xml version="1.0"?>\n<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">\n${entries}\n</catalog>\n`,
  );
  const schema = join(xsdDir, PROTOCOL_XSD);

  return {
    validate(xml: string): Promise<string> {
      return new Promise((resolve, reject) => {
        const child = spawn('xmllint', ['--noout', '--nonet', '--schema', schema, '-'], {
          env: { ...process.env, XML_CATALOG_FILES: catalogFile },
          stdio: ['pipe', 'ignore', 'pipe'],
        });
        let stderr = '';
        const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
        child.stderr.on('data', (chunk: Buffer) => {
          if (stderr.length < 4000) stderr += chunk.toString('utf8');
        });
        child.on('error', (err) => {
          clearTimeout(timer);
          reject(new Error(`schema validation could not run xmllint: ${err.message}`));
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          if (code === 0) resolve('SUCCESS_VALIDATE_XML');
          else reject(new Error(`ERR_INVALID_XML: ${stderr.trim().split('\n').slice(0, 3).join(' | ') || `xmllint exit ${code}`}`));
        });
        child.stdin.on('error', () => undefined);
        child.stdin.end(xml);
      });
    },
  };
}
