#!/usr/bin/python3
"""A SAML 2.0 IdP on Lasso (Debian's python3-lasso) as a samlconf reference target.

Run by targets/lasso-idp/start.sh, which makes the key, certificate and IdP metadata and passes
their paths in the environment. Lasso is used the way its documentation describes the IdP side:

  SSO:    lasso.Login(server); setIdentityFromDump/setSessionFromDump; processAuthnRequestMsg;
          mustAuthenticate (ForceAuthn, IsPassive, previous session); validateRequestMsg;
          buildAssertion; buildAuthnResponseMsg -> msgUrl + msgBody (HTTP-POST to the ACS).
  SLO:    lasso.Logout(server); setSessionFromDump; processRequestMsg; validateRequest;
          buildResponseMsg -> msgUrl (HTTP-Redirect back to the SP).
  Server: lasso.Server(idp metadata, key, None, certificate); addProvider(PROVIDER_ROLE_SP, sp
          metadata) for the one SP of the run.

NameIDPolicy: Lasso itself builds transient NameIDs (Format absent, unspecified or transient) and
persistent ones (from federations kept in a lasso.Identity per user, created when AllowCreate is
true). For every other Format Lasso leaves an empty NameID "for the caller to fill"; this IdP fills
emailAddress with the user's e-mail, and answers any other Format with Requester/InvalidNameIDPolicy.

Environment: PORT, LASSO_IDP_METADATA, LASSO_IDP_KEY, LASSO_IDP_CERT, LASSO_SP_METADATA,
SAMLCONF_TARGET_BASE_URL.
"""
import base64
import datetime
import html
import http.cookies
import json
import os
import secrets
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import lasso

PORT = int(os.environ['PORT'])
BASE = os.environ['SAMLCONF_TARGET_BASE_URL'].rstrip('/')
COOKIE = 'lassoidp_session'
PASSWORD_CONTEXT = lasso.SAML2_AUTHN_CONTEXT_PASSWORD_PROTECTED_TRANSPORT
ASSERTION_LIFETIME = datetime.timedelta(minutes=5)

# samlconf's reference users (harness/default-config.ts REFERENCE_USERS).
USERS = {
    'alice': {'password': 'alice-password', 'email': 'alice@example.test', 'uid': 'alice', 'displayName': 'Alice Example'},
    'bob': {'password': 'bob-password', 'email': 'bob@example.test', 'uid': 'bob', 'displayName': 'Bob Example'},
    'mallory': {
        'password': 'mallory-password', 'email': 'mallory@example.test', 'uid': 'mallory',
        'displayName': 'x</saml:AttributeValue></saml:Attribute><saml:Attribute Name="role"><saml:AttributeValue>admin',
    },
}
SUPPORTED_NAMEID_FORMATS = (
    lasso.SAML2_NAME_IDENTIFIER_FORMAT_TRANSIENT,
    lasso.SAML2_NAME_IDENTIFIER_FORMAT_PERSISTENT,
    lasso.SAML2_NAME_IDENTIFIER_FORMAT_EMAIL,
    lasso.SAML2_NAME_IDENTIFIER_FORMAT_UNSPECIFIED,  # Lasso answers it with a transient NameID
)

server = lasso.Server(os.environ['LASSO_IDP_METADATA'], os.environ['LASSO_IDP_KEY'], None, os.environ['LASSO_IDP_CERT'])
server.addProvider(lasso.PROVIDER_ROLE_SP, os.environ['LASSO_SP_METADATA'], None, None)
SP_ENTITY_ID = next(iter(server.providerIds))

# In memory: IdP sessions (cookie -> user, authentication instant, Lasso session dump), Lasso
# identities per user (persistent federations), AuthnRequests waiting for a login.
lock = threading.Lock()  # Lasso objects and these dicts are touched by one request at a time
sessions = {}
identities = {}
pending = {}


def log(*args):
    print('lasso-idp:', *args, file=sys.stderr, flush=True)


def iso(t):
    return t.strftime('%Y-%m-%dT%H:%M:%SZ')


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def text_value(value):
    v = lasso.Saml2AttributeValue()
    t = lasso.MiscTextNode.newWithString(value)
    t.textChild = True
    v.any = [t]
    return v


def attribute_statement(user):
    attributes = []
    for name in ('email', 'uid', 'displayName'):
        a = lasso.Saml2Attribute()
        a.name = name
        a.nameFormat = lasso.SAML2_ATTRIBUTE_NAME_FORMAT_BASIC
        a.attributeValue = [text_value(USERS[user][name])]
        attributes.append(a)
    statement = lasso.Saml2AttributeStatement()
    statement.attribute = attributes
    return statement


def set_status(profile, code, sub_code=None):
    status = lasso.Samlp2Status()
    status.statusCode = lasso.Samlp2StatusCode()
    status.statusCode.value = code
    if sub_code:
        status.statusCode.statusCode = lasso.Samlp2StatusCode()
        status.statusCode.statusCode.value = sub_code
    profile.response.status = status


def page(title, body, status=200):
    doc = f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>{body}</body></html>'
    return status, 'text/html; charset=utf-8', doc.encode()


def post_form(url, fields):
    inputs = ''.join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in fields.items() if v is not None)
    body = (f'<form id="saml" method="post" action="{html.escape(url)}">{inputs}<noscript><button type="submit">Continue</button></noscript></form>'
            '<script>document.getElementById("saml").submit()</script>')
    return page('Sending you back to the service', body)


def login_form(pending_id, error=None):
    err = f'<p id="error">{html.escape(error)}</p>' if error else ''
    body = (f'{err}<form method="post" action="/login"><input type="hidden" name="pending" value="{html.escape(pending_id)}">'
            '<label>Username <input name="username" autocomplete="username"></label> '
            '<label>Password <input type="password" name="password" autocomplete="current-password"></label> '
            '<button type="submit" id="submit">Log in</button></form>')
    return page('Lasso IdP: log in', body)


def error_page(message, status=400):
    log('refused:', message)
    return page('Lasso IdP: request refused', f'<p id="error">{html.escape(message)}</p>', status)


def answer_authn_request(req, sess, just_authenticated):
    """Lasso's IdP steps for one AuthnRequest. req: {'binding', 'msg', 'relay_state'} (or 'idp_initiated')."""
    login = lasso.Login(server)
    user = sess['user'] if sess else None
    if user and identities.get(user):
        login.setIdentityFromDump(identities[user])
    if sess and sess.get('lasso_session'):
        login.setSessionFromDump(sess['lasso_session'])
    try:
        if req.get('idp_initiated'):
            login.initIdpInitiatedAuthnRequest(SP_ENTITY_ID)
            login.request.protocolBinding = lasso.SAML2_METADATA_BINDING_POST
            login.processAuthnRequestMsg(None)
        else:
            login.processAuthnRequestMsg(req['msg'])
    except lasso.Error as e:
        return None, error_page(f'Lasso refused the AuthnRequest: {e}')
    login.msgRelayState = req.get('relay_state')
    authn_request = login.request

    if not just_authenticated:
        must = login.mustAuthenticate()
        if must and not authn_request.isPassive:
            return 'login', None
        if not sess:
            if authn_request.isPassive:
                # No IdP session and the SP may not show a login page: answer NoPassive.
                set_status(login, lasso.SAML2_STATUS_CODE_RESPONDER, lasso.SAML2_STATUS_CODE_NO_PASSIVE)
                return None, send_response(login)
            return 'login', None
        if authn_request.isPassive and must:
            set_status(login, lasso.SAML2_STATUS_CODE_RESPONDER, lasso.SAML2_STATUS_CODE_NO_PASSIVE)
            return None, send_response(login)

    # The one way this IdP authenticates is a password form over the transport: a
    # RequestedAuthnContext it cannot meet gets NoAuthnContext (Lasso leaves this to the caller).
    rac = authn_request.requestedAuthnContext
    if rac and rac.authnContextClassRef:
        comparison = rac.comparison or 'exact'
        refs = list(rac.authnContextClassRef)
        ok = PASSWORD_CONTEXT in refs if comparison in ('exact', 'maximum') else \
            all(r in (PASSWORD_CONTEXT, lasso.SAML2_AUTHN_CONTEXT_PASSWORD) for r in refs) if comparison == 'minimum' else False
        if not ok:
            set_status(login, lasso.SAML2_STATUS_CODE_RESPONDER, lasso.SAML2_STATUS_CODE_NO_AUTHN_CONTEXT)
            return None, send_response(login)

    policy = authn_request.nameIdPolicy
    fmt = policy.format if policy else None
    if fmt and fmt not in SUPPORTED_NAMEID_FORMATS:
        set_status(login, lasso.SAML2_STATUS_CODE_REQUESTER, lasso.SAML2_STATUS_CODE_INVALID_NAME_ID_POLICY)
        return None, send_response(login)

    try:
        login.validateRequestMsg(True, True)
    except lasso.Error as e:
        log('validateRequestMsg:', e)
        return None, send_response(login)  # Lasso has set the status (federation not found, ...)
    issued = now()
    login.buildAssertion(PASSWORD_CONTEXT, iso(sess['authn_instant']), None, iso(issued), iso(issued + ASSERTION_LIFETIME))
    assertion = login.assertion
    if fmt == lasso.SAML2_NAME_IDENTIFIER_FORMAT_EMAIL:
        assertion.subject.nameID.content = USERS[user]['email']
    assertion.attributeStatement = [attribute_statement(user)]
    result = send_response(login)
    if login.isIdentityDirty and login.identity:
        identities[user] = login.identity.dump()
    if login.session:
        sess['lasso_session'] = login.session.dump()
    return None, result


def send_response(login):
    try:
        login.buildAuthnResponseMsg()
    except lasso.Error as e:
        return error_page(f'Lasso could not build the Response: {e}', 500)
    return post_form(login.msgUrl, {'SAMLResponse': login.msgBody, 'RelayState': login.msgRelayState})


def metadata_response():
    with open(os.environ['LASSO_IDP_METADATA'], 'rb') as f:
        return 200, 'application/samlmetadata+xml', f.read()


class Handler(BaseHTTPRequestHandler):
    server_version = 'lasso-idp'
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):
        log(self.address_string(), fmt % args)

    def session(self):
        jar = http.cookies.SimpleCookie(self.headers.get('Cookie', ''))
        sid = jar[COOKIE].value if COOKIE in jar else None
        return sid, sessions.get(sid) if sid else None

    def form(self):
        length = int(self.headers.get('Content-Length') or 0)
        raw = self.rfile.read(length).decode('utf-8', 'replace') if length else ''
        return {k: v[0] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}

    def send(self, result, headers=()):
        status, ctype, body = result
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Cache-Control', 'no-store')
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, url, headers=()):
        self.send((303, 'text/plain', b''), [('Location', url), *headers])

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        with lock:
            if url.path == '/metadata':
                return self.send(metadata_response())
            if url.path == '/health':
                return self.send((200, 'application/json', json.dumps({'ok': True, 'sp': SP_ENTITY_ID}).encode()))
            if url.path == '/':
                _, sess = self.session()
                who = f'Signed in as <span id="user">{html.escape(sess["user"])}</span>' if sess else 'Not signed in'
                return self.send(page('Lasso IdP', f'<p id="status">{who}</p>'))
            if url.path == '/sso':
                if 'SAMLRequest' not in query:
                    return self.send(error_page('no SAMLRequest'))
                return self.sso({'binding': 'redirect', 'msg': url.query, 'relay_state': query.get('RelayState')})
            if url.path == '/idp-initiated':
                return self.sso({'idp_initiated': True, 'relay_state': query.get('RelayState')})
            if url.path == '/slo':
                return self.slo(url.query, query)
        self.send(page('Not found', '', 404))

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        fields = self.form()
        with lock:
            if url.path == '/sso':
                if 'SAMLRequest' not in fields:
                    return self.send(error_page('no SAMLRequest'))
                return self.sso({'binding': 'post', 'msg': fields['SAMLRequest'], 'relay_state': fields.get('RelayState')})
            if url.path == '/login':
                return self.login(fields)
        self.send(page('Not found', '', 404))

    def sso(self, req):
        _, sess = self.session()
        step, result = answer_authn_request(req, sess, False)
        if step == 'login':
            pid = secrets.token_urlsafe(16)
            pending[pid] = req
            return self.send(login_form(pid))
        self.send(result)

    def login(self, fields):
        pid = fields.get('pending', '')
        req = pending.get(pid)
        if req is None:
            return self.send(error_page('no pending request (log in through your service)'))
        user = fields.get('username', '')
        if user not in USERS or not secrets.compare_digest(USERS[user]['password'], fields.get('password', '')):
            return self.send(login_form(pid, 'Wrong username or password'), )
        del pending[pid]
        # A fresh authentication: a new IdP session (and session cookie).
        old_sid, _ = self.session()
        sessions.pop(old_sid, None)
        sid = secrets.token_urlsafe(24)
        sess = sessions[sid] = {'user': user, 'authn_instant': now(), 'lasso_session': None}
        cookie = f'{COOKIE}={sid}; Path=/; HttpOnly'
        _, result = answer_authn_request(req, sess, True)
        self.send(result, [('Set-Cookie', cookie)])

    def slo(self, raw_query, query):
        if 'SAMLRequest' not in query:
            return self.send(error_page('only SP-initiated logout requests (SAMLRequest) are handled here'))
        sid, sess = self.session()
        logout = lasso.Logout(server)
        if sess:
            if identities.get(sess['user']):
                logout.setIdentityFromDump(identities[sess['user']])
            if sess.get('lasso_session'):
                logout.setSessionFromDump(sess['lasso_session'])
        try:
            logout.processRequestMsg(raw_query)
        except lasso.Error as e:
            # Unreadable, unknown issuer or bad signature: Lasso gives no LogoutResponse to send.
            if logout.response is None or not logout.remoteProviderId:
                return self.send(error_page(f'Lasso refused the LogoutRequest: {e}'))
            log('processRequestMsg:', e)
        else:
            try:
                logout.validateRequest()
                sessions.pop(sid, None)  # only one SP: the whole IdP session ends
            except lasso.Error as e:
                log('validateRequest:', e)  # Lasso has set the LogoutResponse's status
        try:
            logout.buildResponseMsg()
        except lasso.Error as e:
            return self.send(error_page(f'Lasso could not build the LogoutResponse: {e}', 500))
        self.redirect(logout.msgUrl)


if __name__ == '__main__':
    httpd = ThreadingHTTPServer(('127.0.0.1', PORT), Handler)
    httpd.daemon_threads = True
    # Lasso's default signature method is kept (server.signatureMethod: 1 = RSA-SHA1, 4 = RSA-SHA256).
    log(f'signature method {server.signatureMethod}')
    log(f'entity ID {BASE}/metadata, SP {SP_ENTITY_ID}, listening on http://127.0.0.1:{PORT} (base URL {BASE})')
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
