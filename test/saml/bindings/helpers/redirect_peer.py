# Independent HTTP-Redirect peer for the binding tests. RSA goes through pysaml2's own
# http_redirect_message / verify_redirect_signature; ECDSA (which pysaml2 does not offer for
# this binding) through the `cryptography` package, with the r||s value format.
import base64
import json
import sys
import zlib
from urllib.parse import parse_qsl, quote_plus, urlencode


def cert_body(pem):
    return "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))


def deflate_b64(xml):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(c.compress(xml.encode("utf-8")) + c.flush()).decode("ascii")


def run(inp):
    mode = inp["mode"]
    if mode == "pysaml2-sign":
        from saml2.cryptography.asymmetric import load_pem_private_key
        from saml2.pack import http_redirect_message
        from saml2.sigver import RSACrypto

        key = load_pem_private_key(inp["keyPem"].encode("ascii"), None)
        res = http_redirect_message(
            inp["xml"], inp["location"], relay_state=inp.get("relayState") or "",
            typ=inp["typ"], sigalg=inp["sigalg"], sign=True, backend=RSACrypto(key),
        )
        return {"url": dict(res["headers"])["Location"]}

    elif mode == "pysaml2-verify":
        from saml2.s_utils import decode_base64_and_inflate
        from saml2.sigver import RSACrypto, verify_redirect_signature

        msg = dict(parse_qsl(inp["query"], keep_blank_values=True))
        error = None
        try:
            valid = bool(verify_redirect_signature(msg, RSACrypto(None), cert=cert_body(inp["certPem"])))
        except Exception as e:  # pysaml2 raises for some bad inputs; that is a rejection too
            valid = False
            error = repr(e)
        typ = "SAMLRequest" if "SAMLRequest" in msg else "SAMLResponse"
        xml = decode_base64_and_inflate(msg[typ]).decode("utf-8")
        return {"valid": valid, "error": error, "xml": xml, "relayState": msg.get("RelayState")}

    elif mode == "ec-sign":
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        key = serialization.load_pem_private_key(inp["keyPem"].encode("ascii"), None)
        args = [(inp["typ"], deflate_b64(inp["xml"]))]
        if inp.get("relayState") is not None:
            args.append(("RelayState", inp["relayState"]))
        args.append(("SigAlg", inp["sigalg"]))
        signed = urlencode(args)
        der = key.sign(signed.encode("ascii"), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        query = signed + "&Signature=" + quote_plus(base64.b64encode(raw).decode("ascii"))
        return {"url": inp["location"] + "?" + query}

    elif mode == "ec-verify":
        from cryptography import x509
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

        msg = dict(parse_qsl(inp["query"], keep_blank_values=True))
        typ = "SAMLRequest" if "SAMLRequest" in msg else "SAMLResponse"
        order = [typ, "RelayState", "SigAlg"]
        signed = urlencode([(k, msg[k]) for k in order if k in msg])
        raw = base64.b64decode(msg["Signature"])
        valid = False
        if len(raw) == 64:
            der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
            key = x509.load_pem_x509_certificate(inp["certPem"].encode("ascii")).public_key()
            try:
                key.verify(der, signed.encode("ascii"), ec.ECDSA(hashes.SHA256()))
                valid = True
            except InvalidSignature:
                valid = False
        xml = zlib.decompress(base64.b64decode(msg[typ]), -15).decode("utf-8")
        return {"valid": valid, "xml": xml, "relayState": msg.get("RelayState")}

    raise ValueError("unknown mode " + mode)


# One process for a batch of jobs: importing pysaml2 costs more than the work.
print(json.dumps([run(job) for job in json.load(sys.stdin)]))
