#!/usr/bin/env bash
# Starts a SAML 2.0 IdP written on Lasso (Debian's python3-lasso) as a samlconf target: a small
# Python stdlib HTTP server (server.py) that drives lasso.Login and lasso.Logout the way Lasso's
# documentation describes the IdP side. This script builds its runtime folder: a key and
# certificate made with openssl, the IdP's metadata (written here: Lasso reads metadata, it does
# not make it) and the SP's metadata, then serves in the foreground on 127.0.0.1:$PORT.
#
# Environment (from samlconf's start contract):
#   PORT                       port on 127.0.0.1 (required)
#   SAMLCONF_SP_METADATA_FILE  the SP's metadata (or SAMLCONF_SP_METADATA_URL, fetched once)
#   SAMLCONF_TARGET_BASE_URL   public origin (default http://lasso-idp.target.test:$PORT)
#
# The folder lives under $TMPDIR (default /tmp) and is removed on SIGTERM, SIGINT or exit.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/start-kit.sh"

here="$(cd "$(dirname "$0")" && pwd)"
: "${PORT:?PORT must be set (the port to listen on, on 127.0.0.1)}"
base="${SAMLCONF_TARGET_BASE_URL:-http://lasso-idp.target.test:${PORT}}"
base="${base%/}"

/usr/bin/python3 -c 'import lasso' 2>/dev/null || { echo "lasso-idp: python3-lasso is missing (Debian: python3-lasso; bin/setup installs it)" >&2; exit 1; }
command -v openssl >/dev/null 2>&1 || { echo "lasso-idp: openssl is missing" >&2; exit 1; }

run_folder lasso-idp

# The SP's metadata, given to lasso.Server.addProvider as a file.
peer_metadata SP "$run/sp-metadata.xml" lasso-idp

# The IdP's signing key and self-signed certificate, new at every start.
openssl req -newkey rsa:3072 -new -x509 -days 3652 -nodes -subj "/CN=lasso-idp.target.test" \
  -keyout "$run/idp-key.pem" -out "$run/idp-cert.pem" 2>/dev/null
cert_b64="$(sed -e '/-----/d' "$run/idp-cert.pem" | tr -d '\n')"

# The IdP's metadata, as lasso.Server reads it: entity ID <base>/metadata, signing key, SSO over
# HTTP-Redirect and HTTP-POST, SLO over HTTP-Redirect, the NameID formats server.py issues, and
# WantAuthnRequestsSigned (Lasso then verifies every AuthnRequest's signature).
cat >"$run/idp-metadata.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${base}/metadata">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert_b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${base}/slo"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${base}/sso"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${base}/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
XML

export LASSO_IDP_METADATA="$run/idp-metadata.xml" LASSO_IDP_KEY="$run/idp-key.pem" LASSO_IDP_CERT="$run/idp-cert.pem"
export LASSO_SP_METADATA="$run/sp-metadata.xml" SAMLCONF_TARGET_BASE_URL="$base" PORT
serve /usr/bin/python3 -u "$here/server.py"
