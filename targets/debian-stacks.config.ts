// Three independent, non-JavaScript SAML stacks from Debian as reference targets, each configured
// the way its own documentation tells an admin (see targets/README.md):
//   mellon-sp          mod_auth_mellon 0.18 behind Apache 2.4 (libapache2-mod-auth-mellon)
//   simplesamlphp-idp  SimpleSAMLphp 1.19 under PHP's built-in server (simplesamlphp)
//   pysaml2-idp        a small IdP on pysaml2 7.0 (python3-pysaml2) under Python's wsgiref
// Run: node bin/samlconf.js run --config targets/debian-stacks.config.ts
// Their expected verdicts are pinned in targets/<name>/expected.json (test/targets/debian-stacks.test.ts).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '../harness/index.ts';
import { REFERENCE_USERS, referenceTargetBase } from '../harness/default-config.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

/**
 * Ports on 127.0.0.1; override with SAMLCONF_MELLON_SP_PORT / SAMLCONF_SIMPLESAMLPHP_IDP_PORT /
 * SAMLCONF_PYSAML2_IDP_PORT.
 */
const mellonPort = Number(process.env.SAMLCONF_MELLON_SP_PORT ?? 47131);
const sspPort = Number(process.env.SAMLCONF_SIMPLESAMLPHP_IDP_PORT ?? 47231);
const pysaml2Port = Number(process.env.SAMLCONF_PYSAML2_IDP_PORT ?? 47232);
const mellon = referenceTargetBase('mellon-sp', mellonPort);
const ssp = referenceTargetBase('simplesamlphp-idp', sspPort);
const pysaml2 = referenceTargetBase('pysaml2-idp', pysaml2Port);

// The start commands `exec` their script so that it leads the process group the harness stops: it
// then gets to remove its temporary folder before the harness kills what is left of the group.
export default defineConfig({
  targets: [
    {
      name: 'mellon-sp',
      role: 'sp',
      // mellon publishes its SP metadata at <MellonEndpointPath>/metadata; the entity ID is that URL.
      metadata: `${mellon}/mellon/metadata`,
      start: { command: 'exec bash targets/mellon-sp/start.sh', url: `${mellon}/mellon/metadata`, cwd: root, port: mellonPort },
      capabilities: ['slo'],
      loginUrl: `${mellon}/login`,
      logoutUrl: `${mellon}/logout`,
      oracle: { whoami: `${mellon}/whoami` },
    },
    {
      name: 'simplesamlphp-idp',
      role: 'idp',
      // SimpleSAMLphp's IdP metadata URL; its entity ID is that URL.
      metadata: `${ssp}/saml2/idp/metadata.php`,
      start: { command: 'exec bash targets/simplesamlphp-idp/start.sh', url: `${ssp}/saml2/idp/metadata.php`, cwd: root, port: sspPort },
      capabilities: ['idp-initiated', 'slo'],
      // The users of targets/simplesamlphp-idp/authsources.php (exampleauth:UserPass).
      users: REFERENCE_USERS,
      // SimpleSAMLphp's core:loginuserpass page.
      login: { username: 'input[name="username"]', password: 'input[name="password"]', submit: '#submit_button' },
      // targets/simplesamlphp-idp/router.php: SimpleSAMLphp's IdP-first URL for the configured SP.
      idpInitiatedUrl: `${ssp}/idp-initiated`,
    },
    {
      name: 'pysaml2-idp',
      role: 'idp',
      // targets/pysaml2-idp/idp.py serves pysaml2's entity_descriptor at /metadata, its entity ID.
      metadata: `${pysaml2}/metadata`,
      start: { command: 'exec bash targets/pysaml2-idp/start.sh', url: `${pysaml2}/metadata`, cwd: root, port: pysaml2Port },
      capabilities: ['idp-initiated', 'slo'],
      // The users of targets/pysaml2-idp/idp.py (USERS), the same reference users.
      users: REFERENCE_USERS,
      login: { username: 'input[name="username"]', password: 'input[name="password"]', submit: 'button[type="submit"]' },
      idpInitiatedUrl: `${pysaml2}/idp-initiated`,
    },
  ],
});
