// Validate an XML string against the OASIS SAML 2.0 schemas with xmllint, fully offline.
// The schemas shipped with pysaml2 import xmldsig, xmlenc and xml.xsd by their W3C URLs; a small
// XML catalog written to a temp dir maps those URLs to the local copies, and a wrapper schema
// imports protocol (which pulls in assertion), metadata and the SOAP 1.1 envelope, so any of
// their global elements can be the document root.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const SAML_SCHEMA_DIR = process.env.SAMLCONF_SCHEMA_DIR ?? '/usr/lib/python3/dist-packages/saml2/data/schemas';

/** W3C locations used by the schema imports, and the local file that stands in for each. */
const REMOTE_SCHEMAS: Record<string, string> = {
  'http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd': 'xmldsig-core-schema.xsd',
  'http://www.w3.org/TR/2002/REC-xmlenc-core-20021210/xenc-schema.xsd': 'xenc-schema.xsd',
  'http://www.w3.org/2001/xml.xsd': 'xml.xsd',
};

const ROOT_SCHEMAS: Record<string, string> = {
  'urn:oasis:names:tc:SAML:2.0:protocol': 'saml-schema-protocol-2.0.xsd',
  'urn:oasis:names:tc:SAML:2.0:metadata': 'saml-schema-metadata-2.0.xsd',
  'http://schemas.xmlsoap.org/soap/envelope/': 'envelope.xsd',
};

interface Setup {
  catalog: string;
  wrapper: string;
}

let setup: Setup | undefined;

function localUrl(file: string): string {
  return pathToFileURL(join(SAML_SCHEMA_DIR, file)).href;
}

function prepare(): Setup {
  if (setup) return setup;
  const needed = [...Object.values(REMOTE_SCHEMAS), ...Object.values(ROOT_SCHEMAS)];
  const missing = needed.filter((f) => !existsSync(join(SAML_SCHEMA_DIR, f)));
  if (missing.length) {
    throw new Error(`SAML schemas not found in ${SAML_SCHEMA_DIR} (missing ${missing.join(', ')}); install python3-pysaml2`);
  }
  const entries = Object.entries(REMOTE_SCHEMAS)
    .map(([remote, file]) => `  <system systemId="${remote}" uri="${localUrl(file)}"/>\n  <uri name="${remote}" uri="${localUrl(file)}"/>`)
    .join('\n');
  const catalogText = `<?xml version="1.0"?>\n<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">\n${entries}\n</catalog>\n`;
  const imports = Object.entries(ROOT_SCHEMAS)
    .map(([ns, file]) => `  <xs:import namespace="${ns}" schemaLocation="${localUrl(file)}"/>`)
    .join('\n');
  const wrapperText = `<?xml version="1.0"?>\n<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:samlconf:test:schema-wrapper">\n${imports}\n</xs:schema>\n`;
  // One directory per content, shared by every test process and run: nothing to clean up, and
  // parallel workers never see a half-written file (write to a private name, then rename).
  const digest = createHash('sha256').update(catalogText).update(wrapperText).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `samlconf-xsd-${digest}`);
  mkdirSync(dir, { recursive: true });
  setup = { catalog: writeOnce(join(dir, 'catalog.xml'), catalogText), wrapper: writeOnce(join(dir, 'saml-all.xsd'), wrapperText) };
  return setup;
}

function writeOnce(file: string, content: string): string {
  if (existsSync(file) && readFileSync(file, 'utf8') === content) return file;
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(temp, content);
  renameSync(temp, file);
  return file;
}

/**
 * Validate `xml` (any SAML protocol, assertion, metadata or SOAP-envelope root) against the OASIS
 * schemas. Throws when xmllint or the schemas are missing, or the schemas fail to compile; an
 * invalid or malformed document gives { valid: false, errors } with xmllint's messages.
 */
export function validateAgainstSamlSchema(xml: string): { valid: boolean; errors: string[] } {
  const { catalog, wrapper } = prepare();
  const run = spawnSync('xmllint', ['--noout', '--nonet', '--schema', wrapper, '-'], {
    input: xml,
    encoding: 'utf8',
    env: { ...process.env, XML_CATALOG_FILES: catalog },
    timeout: 20_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.error) {
    const code = (run.error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT' ? 'xmllint not found: install libxml2-utils' : `xmllint failed to run: ${run.error.message}`,
    );
  }
  const errors = (run.stderr ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== '- validates' && l !== '- fails to validate');
  // xmllint exit codes: 0 valid, 1 not well-formed, 3 schema-invalid, 4/5 schema could not be loaded.
  if (run.status === 0) return { valid: true, errors: [] };
  if (run.status === 1 || run.status === 3) return { valid: false, errors };
  throw new Error(`xmllint could not validate (exit ${run.status ?? run.signal}): ${errors.join('\n')}`);
}
