#!/usr/bin/python3
"""A small SAML 2.0 IdP on Debian's python3-pysaml2 (saml2.server.Server), served by the standard
library's wsgiref: samlconf's reference target pysaml2-idp (see targets/README.md).

Started by start.sh, which writes the pysaml2 configuration module (idp_conf.py, a CONFIG dict as
pysaml2's documentation describes) into a temporary folder and runs:

    /usr/bin/python3 idp.py --config /tmp/.../idp_conf.py --port PORT

pysaml2 does the SAML: parsing and verifying requests (parse_authn_request,
parse_logout_request), NameIDs (its IdentDB), Responses (create_authn_response,
create_error_response, create_logout_response), bindings (apply_binding) and metadata
(entity_descriptor). This file does what pysaml2 leaves to the application: users, the login
page, the session cookie, which request waits for a login, and when to say no.
"""
import argparse
import html
import http.cookies
import json
import logging
import os
import secrets
import socketserver
import sys
import threading
import time
import traceback
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.authn_context import PASSWORD, AuthnBroker, authn_context_class_ref
from saml2.metadata import entity_descriptor, metadata_tostring_fix
from saml2.s_utils import UnknownPrincipal
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.samlp import STATUS_NO_AUTHN_CONTEXT, STATUS_NO_PASSIVE, response_from_string
from saml2.server import Server
from saml2.sigver import verify_redirect_signature
from saml2.validate import valid_instance

log = logging.getLogger("pysaml2-idp")

# samlconf's reference users (harness/default-config.ts, REFERENCE_USERS). mallory's displayName
# holds SAML markup for the attribute-injection scenario: it must come back as text.
USERS = {
    "alice": {"password": "alice-password", "email": "alice@example.test", "displayName": "Alice Example"},
    "bob": {"password": "bob-password", "email": "bob@example.test", "displayName": "Bob Example"},
    "mallory": {
        "password": "mallory-password",
        "email": "mallory@example.test",
        "displayName": "x</saml:AttributeValue></saml:Attribute><saml:Attribute Name=\"role\"><saml:AttributeValue>admin",
    },
}
COOKIE = "pysaml2idp_session"
PENDING_TTL = 600  # seconds a request waits for its login


def identity_of(username):
    u = USERS[username]
    return {"uid": [username], "email": [u["email"]], "displayName": [u["displayName"]]}


class App:
    def __init__(self, config_file, sp_entity_id=""):
        # One Server for everything; a second one, built from the same configuration with
        # want_authn_requests_signed off, only parses HTTP-Redirect messages whose query-string
        # signature (SAML Bindings 3.4.4.1) this app has already verified: pysaml2's _parse_request
        # wants an enveloped XML signature whenever want_authn_requests_signed is set, and a
        # Redirect-bound message never carries one.
        self.idp = Server(config_file=config_file)
        self.redirect_parser = Server(config_file=config_file)
        self.redirect_parser.config.setattr("idp", "want_authn_requests_signed", False)
        self.want_signed = bool(self.idp.config.getattr("want_authn_requests_signed", "idp"))
        self.base = self.idp.config.entityid.rsplit("/metadata", 1)[0]
        self.sp_entity_id = sp_entity_id
        self.lock = threading.RLock()  # pysaml2's Server is shared; one SAML operation at a time
        self.sessions = {}  # session id -> {"user", "authn_instant", "issued": [(SP entity ID, saml.NameID)]}
        self.pending = {}  # login form key -> {"resp_args" (None: IdP-initiated), "relay_state", "created"}
        # pysaml2's authentication-context broker, as its example IdP uses it: the one method here
        # is a password over a login form.
        self.broker = AuthnBroker()
        self.broker.add(authn_context_class_ref(PASSWORD), "password", 10, self.base)

    # --- HTTP plumbing ------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "/")
        try:
            params = self.params(environ)
            session_id, session = self.session(environ)
            route = {
                ("GET", "/metadata"): self.metadata,
                ("GET", "/health"): self.health,
                ("GET", "/"): self.home,
                ("GET", "/sso/redirect"): self.sso_redirect,
                ("POST", "/sso/post"): self.sso_post,
                ("POST", "/login"): self.login,
                ("GET", "/idp-initiated"): self.idp_initiated,
                ("GET", "/slo/redirect"): self.slo_redirect,
                ("POST", "/slo/post"): self.slo_post,
            }.get((method, path))
            if route is None:
                return self.respond(start_response, "404 Not Found", page("Not found", "<p id=\"error\">no such page</p>"))
            return route(start_response, params, session_id, session)
        except Exception as exc:  # a broken request must not take the server down
            log.error("%s %s: %s\n%s", method, path, exc, traceback.format_exc())
            return self.refuse(start_response, "500 Internal Server Error", f"{type(exc).__name__}: {exc}")

    @staticmethod
    def params(environ):
        out = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()}
        if environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length).decode("utf-8") if length else ""
            out.update({k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()})
        return out

    def session(self, environ):
        jar = http.cookies.SimpleCookie()
        try:
            jar.load(environ.get("HTTP_COOKIE", ""))
        except http.cookies.CookieError:
            return None, None
        morsel = jar.get(COOKIE)
        if morsel is None:
            return None, None
        with self.lock:
            return morsel.value, self.sessions.get(morsel.value)

    @staticmethod
    def respond(start_response, status, body, headers=(), content_type="text/html; charset=utf-8"):
        data = body.encode("utf-8") if isinstance(body, str) else body
        start_response(status, [("Content-Type", content_type), ("Cache-Control", "no-store"), *headers])
        return [data]

    def refuse(self, start_response, status, message):
        return self.respond(start_response, status, page("Request refused", f"<p id=\"error\">{html.escape(message)}</p>"))

    def send(self, start_response, info, headers=()):
        """An apply_binding result as the HTTP answer: a 303 for Redirect, the auto-POST form for POST."""
        if info["method"] == "GET":
            location = dict(info["headers"])["Location"]
            return self.respond(start_response, "303 See Other", "", [("Location", location), *headers])
        return self.respond(start_response, "200 OK", info["data"], headers)

    # --- plain pages --------------------------------------------------------------------------

    def metadata(self, start_response, *_):
        with self.lock:
            ed = entity_descriptor(self.idp.config)
            valid_instance(ed)
            xml = metadata_tostring_fix(ed, {"xs": "http://www.w3.org/2001/XMLSchema"}, None)
        return self.respond(start_response, "200 OK", xml, content_type="application/samlmetadata+xml")

    def health(self, start_response, *_):
        return self.respond(start_response, "200 OK", json.dumps({"ok": True, "entityId": self.idp.config.entityid}), content_type="application/json")

    def home(self, start_response, params, session_id, session):
        who = f"Signed in as {html.escape(session['user'])}" if session else "Not signed in"
        return self.respond(start_response, "200 OK", page("pysaml2 IdP", f"<p id=\"status\">{who}</p>"))

    def login_form(self, start_response, key, error=""):
        err = f"<p id=\"error\">{html.escape(error)}</p>" if error else ""
        body = f"""{err}<form method="post" action="/login">
  <input type="hidden" name="key" value="{html.escape(key)}">
  <label>Username <input name="username" autocomplete="username"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button type="submit" id="submit">Sign in</button>
</form>"""
        return self.respond(start_response, "200 OK", page("Sign in", body))

    # --- SSO ----------------------------------------------------------------------------------

    def sso_redirect(self, start_response, params, session_id, session):
        if "SAMLRequest" not in params:
            return self.refuse(start_response, "400 Bad Request", "SAMLRequest is missing")
        try:
            req = self.parse_redirect(params, self.idp.parse_authn_request, self.redirect_parser.parse_authn_request)
        except Exception as exc:
            return self.refuse(start_response, "400 Bad Request", f"AuthnRequest refused: {type(exc).__name__}: {exc}")
        return self.handle_authn_request(start_response, req, params.get("RelayState", ""), session_id, session)

    def sso_post(self, start_response, params, session_id, session):
        if "SAMLRequest" not in params:
            return self.refuse(start_response, "400 Bad Request", "SAMLRequest is missing")
        try:
            with self.lock:
                # The enveloped signature is checked by pysaml2 against the SP's metadata.
                req = self.idp.parse_authn_request(params["SAMLRequest"], BINDING_HTTP_POST)
        except Exception as exc:
            return self.refuse(start_response, "400 Bad Request", f"AuthnRequest refused: {type(exc).__name__}: {exc}")
        return self.handle_authn_request(start_response, req, params.get("RelayState", ""), session_id, session)

    def parse_redirect(self, params, parse, parse_unsigned):
        """A Redirect-bound request: its query signature is verified (as pysaml2's example IdP does,
        with verify_redirect_signature and the Issuer's signing certificates from metadata), then
        pysaml2 parses it. Unsigned ones are refused while want_authn_requests_signed is set."""
        signed = "SigAlg" in params and "Signature" in params
        if not signed:
            if self.want_signed:
                raise UnsignedRequest("the request is not signed (want_authn_requests_signed)")
            with self.lock:
                return parse(params["SAMLRequest"], BINDING_HTTP_REDIRECT)
        with self.lock:
            req = parse_unsigned(params["SAMLRequest"], BINDING_HTTP_REDIRECT)
            issuer = req.message.issuer.text.strip() if req.message.issuer is not None else ""
            try:
                certs = self.idp.metadata.certs(issuer, "any", "signing")
            except KeyError:
                raise UnknownPrincipal(f"no metadata for the Issuer {issuer!r}") from None
            saml_msg = {k: params[k] for k in ("SAMLRequest", "RelayState", "SigAlg", "Signature") if k in params}
            if not any(verify_redirect_signature(saml_msg, self.idp.sec.sec_backend, cert) for cert in certs):
                raise BadSignature(f"the query-string signature does not verify with a signing certificate of {issuer!r}")
        return req

    def handle_authn_request(self, start_response, req, relay_state, session_id, session):
        msg = req.message
        try:
            with self.lock:
                # Where the Response goes: an ACS of the requesting SP from its metadata, over
                # HTTP-POST (pysaml2's pick_binding refuses a URL or index the metadata lacks).
                resp_args = self.idp.response_args(msg, [BINDING_HTTP_POST])
        except Exception as exc:
            return self.refuse(start_response, "400 Bad Request", f"no ACS to answer to: {type(exc).__name__}: {exc}")
        # Authentication context: pysaml2's AuthnBroker, as in its example IdP. No method that
        # satisfies RequestedAuthnContext: a NoAuthnContext error Response.
        if msg.requested_authn_context is not None and not self.broker.pick(msg.requested_authn_context):
            return self.error_response(start_response, resp_args, relay_state, STATUS_NO_AUTHN_CONTEXT, "no authentication method satisfies RequestedAuthnContext")
        if session and not msg.force_authn:
            return self.authn_response(start_response, session_id, session, resp_args, relay_state)
        if msg.is_passive:
            return self.error_response(start_response, resp_args, relay_state, STATUS_NO_PASSIVE, "IsPassive and no session" if not session else "IsPassive with ForceAuthn")
        key = self.remember({"resp_args": resp_args, "relay_state": relay_state})
        return self.login_form(start_response, key)

    def remember(self, pending):
        key = secrets.token_urlsafe(24)
        with self.lock:
            now = time.time()
            for k in [k for k, v in self.pending.items() if now - v["created"] > PENDING_TTL]:
                del self.pending[k]
            self.pending[key] = {**pending, "created": now}
        return key

    def login(self, start_response, params, session_id, session):
        key = params.get("key", "")
        with self.lock:
            pending = self.pending.get(key)
        username = params.get("username", "")
        user = USERS.get(username)
        if user is None or not secrets.compare_digest(params.get("password", "").encode(), user["password"].encode()):
            return self.login_form(start_response, key, "Unknown user or wrong password")
        with self.lock:
            self.pending.pop(key, None)
            if session_id and session_id in self.sessions:
                del self.sessions[session_id]  # a new login gets a new session id
            session_id = secrets.token_urlsafe(24)
            session = {"user": username, "authn_instant": int(time.time()), "issued": []}
            self.sessions[session_id] = session
        cookie = ("Set-Cookie", f"{COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Lax")
        if pending is None:
            return self.respond(start_response, "303 See Other", "", [("Location", "/"), cookie])
        if pending.get("resp_args") is None:  # IdP-initiated
            return self.unsolicited(start_response, session_id, session, pending["relay_state"], [cookie])
        return self.authn_response(start_response, session_id, session, pending["resp_args"], pending["relay_state"], [cookie])

    def authn_response(self, start_response, session_id, session, resp_args, relay_state, headers=()):
        """A signed Response (Response and Assertion signed) auto-POSTed to the SP's ACS."""
        user = session["user"]
        args = dict(resp_args)
        binding = args.pop("binding")
        destination = args["destination"]
        policy = args.get("name_id_policy")
        name_id = None
        # NameID: the user's e-mail when emailAddress is asked for; any other format (or none) is
        # pysaml2's IdentDB's (transient, persistent, or whatever Format the policy names).
        if policy is not None and policy.format == NAMEID_FORMAT_EMAILADDRESS:
            name_id = NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=USERS[user]["email"])
        authn = {
            "class_ref": PASSWORD,
            "authn_auth": self.base,
            "authn_instant": session["authn_instant"],
        }
        with self.lock:
            response = self.idp.create_authn_response(
                identity_of(user),
                userid=user,
                name_id=name_id,
                authn=authn,
                **args,
            )
            info = self.idp.apply_binding(binding, str(response), destination, relay_state, response=True)
            issued = issued_nameid(response)
            if issued is not None:
                session["issued"].append((args.get("sp_entity_id"), issued))
        return self.send(start_response, info, headers)

    def error_response(self, start_response, resp_args, relay_state, status, message):
        """A signed Response with status Responder/<status> and no assertion, auto-POSTed to the ACS."""
        args = dict(resp_args)
        with self.lock:
            response = self.idp.create_error_response(args["in_response_to"], args["destination"], (status, message), sign=True)
            info = self.idp.apply_binding(args["binding"], str(response), args["destination"], relay_state, response=True)
        return self.send(start_response, info)

    def idp_initiated(self, start_response, params, session_id, session):
        relay_state = params.get("RelayState", "")
        if session:
            return self.unsolicited(start_response, session_id, session, relay_state)
        key = self.remember({"resp_args": None, "relay_state": relay_state})
        return self.login_form(start_response, key)

    def unsolicited(self, start_response, session_id, session, relay_state, headers=()):
        sp = self.sp_entity_id or next(iter(self.idp.metadata.with_descriptor("spsso")), "")
        with self.lock:
            _, destination = self.idp.pick_binding("assertion_consumer_service", [BINDING_HTTP_POST], "spsso", entity_id=sp)
        resp_args = {"in_response_to": None, "sp_entity_id": sp, "name_id_policy": None, "binding": BINDING_HTTP_POST, "destination": destination}
        return self.authn_response(start_response, session_id, session, resp_args, relay_state, headers)

    # --- SLO ----------------------------------------------------------------------------------

    def slo_redirect(self, start_response, params, session_id, session):
        if "SAMLRequest" not in params:  # no request: just end the IdP session
            return self.end_local(start_response, session_id)
        try:
            req = self.parse_redirect(params, self.idp.parse_logout_request, self.redirect_parser.parse_logout_request)
        except Exception as exc:
            return self.refuse(start_response, "400 Bad Request", f"LogoutRequest refused: {type(exc).__name__}: {exc}")
        return self.handle_logout(start_response, req, BINDING_HTTP_REDIRECT, params.get("RelayState", ""), session_id)

    def slo_post(self, start_response, params, session_id, session):
        if "SAMLRequest" not in params:
            return self.end_local(start_response, session_id)
        try:
            with self.lock:
                req = self.idp.parse_logout_request(params["SAMLRequest"], BINDING_HTTP_POST)
        except Exception as exc:
            return self.refuse(start_response, "400 Bad Request", f"LogoutRequest refused: {type(exc).__name__}: {exc}")
        return self.handle_logout(start_response, req, BINDING_HTTP_POST, params.get("RelayState", ""), session_id)

    def end_local(self, start_response, session_id):
        with self.lock:
            self.sessions.pop(session_id, None)
        return self.respond(start_response, "303 See Other", "", [("Location", "/"), ("Set-Cookie", f"{COOKIE}=; Path=/; Max-Age=0")])

    def handle_logout(self, start_response, req, binding, relay_state, session_id):
        msg = req.message
        sp = msg.issuer.text.strip() if msg.issuer is not None else ""
        name_id = msg.name_id.text.strip() if msg.name_id is not None and msg.name_id.text else ""
        with self.lock:
            # Every IdP session in which this SP was given this NameID ends, and pysaml2's IdentDB
            # forgets the transient NameIDs handed out in them (remove_remote: IdentDB.remove_local
            # looks the user up under a bytes key, which an in-memory IdentDB never has).
            ended = [sid for sid, s in self.sessions.items() if any(n.text == name_id and s_sp == sp for s_sp, n in s["issued"])]
            for sid in ended:
                for _, nid in self.sessions.pop(sid)["issued"]:
                    if nid.format == NAMEID_FORMAT_TRANSIENT:
                        try:
                            self.idp.ident.remove_remote(nid)
                        except (KeyError, ValueError):
                            pass
            # Answer over the binding the request came by when the SP's metadata offers it.
            bindings = [binding] + [b for b in (BINDING_HTTP_REDIRECT, BINDING_HTTP_POST) if b != binding]
            rinfo = self.idp.response_args(msg, bindings)
            # Redirect signs the query string, so the XML itself carries no signature there
            # (SAML Bindings 3.4.4.1); POST signs the XML.
            response = self.idp.create_logout_response(msg, bindings, sign=rinfo["binding"] == BINDING_HTTP_POST)
            info = self.idp.apply_binding(rinfo["binding"], str(response), rinfo["destination"], relay_state, response=True, sign=True)
        log.info("LogoutRequest from %s for %r ended %d session(s)", sp, name_id, len(ended))
        headers = [("Set-Cookie", f"{COOKIE}=; Path=/; Max-Age=0")] if session_id in ended else []
        return self.send(start_response, info, headers)


class UnsignedRequest(Exception):
    pass


class BadSignature(Exception):
    pass


def issued_nameid(response):
    """The NameID in a Response from create_authn_response (a signed one comes back as a string)."""
    if isinstance(response, (str, bytes)):
        response = response_from_string(response)
    try:
        return response.assertion[0].subject.name_id if isinstance(response.assertion, list) else response.assertion.subject.name_id
    except (AttributeError, IndexError):
        return None


def page(title, body):
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>
<body><h1>{html.escape(title)}</h1>
{body}
</body></html>"""


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, fmt, *args):
        log.info("%s %s", self.address_string(), fmt % args)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", required=True, help="pysaml2 configuration module (idp_conf.py)")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--sp-entity-id", default=os.environ.get("SAMLCONF_SP_ENTITY_ID", ""))
    a = ap.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("saml2").setLevel(logging.WARNING)
    app = App(a.config, a.sp_entity_id)
    httpd = make_server(a.host, a.port, app, server_class=ThreadingServer, handler_class=QuietHandler)
    print(f"pysaml2-idp: entity ID {app.idp.config.entityid}, listening on http://{a.host}:{a.port}", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
