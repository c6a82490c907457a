// JavaScript SAML stacks beyond the default run's node-saml-sp, each configured the way its own
// README tells an integrator (see targets/README.md):
//   saml2js-sp            saml2-js 4 on express 5, unencrypted assertions allowed
//   saml2js-sp-encrypted  saml2-js 4 on express 5 as the README's Express example: encrypted assertions required
// Run: node bin/samlconf.js run --config targets/js-stacks.config.ts
// Their expected verdicts are pinned in targets/<name>/expected.json (test/targets/js-stacks.test.ts).
import { defineConfig } from '../harness/index.ts';
import { referenceSp } from '../harness/default-config.ts';

/** Ports on 127.0.0.1; override with SAMLCONF_SAML2JS_SP_PORT / SAMLCONF_SAML2JS_SP_ENCRYPTED_PORT. */
const plainPort = Number(process.env.SAMLCONF_SAML2JS_SP_PORT ?? 47111);
const encryptedPort = Number(process.env.SAMLCONF_SAML2JS_SP_ENCRYPTED_PORT ?? 47112);
const command = 'node --import tsx targets/saml2js-sp/server.ts';

// Capabilities: saml2-js decrypts EncryptedAssertions (`encryption`) and has SLO both ways
// (create_logout_request_url, redirect_assert) at the Redirect SingleLogoutService its metadata
// lists (`slo`). No `idp-initiated`: saml2-js has no switch for it (it never checks InResponseTo,
// so it takes unsolicited Responses anyway, which sp-unsolicited-response-needs-opt-in reports).
export default defineConfig({
  targets: [
    referenceSp({ name: 'saml2js-sp', port: plainPort, command, capabilities: ['encryption', 'slo'] }),
    referenceSp({ name: 'saml2js-sp-encrypted', port: encryptedPort, command: `${command} --encrypted`, capabilities: ['encryption', 'slo'] }),
  ],
});
