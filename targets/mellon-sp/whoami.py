#!/usr/bin/python3
# CGI behind mod_auth_mellon: who is signed in, read from the environment mellon sets
# (MELLON_NAME_ID, and per attribute MELLON_<name> with the first value and MELLON_<name>_<i>
# with each value). /whoami answers JSON, or 401 without a session; / shows a small page.
import json
import os
import re

env = os.environ
name_id = env.get('MELLON_NAME_ID')
attributes = {}
for key in env:
    # Not attributes: the NameID itself, and the switch start.sh sets (MELLON_DISABLE_SAMESITE).
    if not key.startswith('MELLON_') or key in ('MELLON_NAME_ID', 'MELLON_NAME_ID_0', 'MELLON_DISABLE_SAMESITE'):
        continue
    name = key[len('MELLON_'):]
    m = re.fullmatch(r'(.+)_(\d+)', name)
    if m and 'MELLON_' + m.group(1) in env:
        continue  # one value of a multi-valued attribute, collected below
    values, i = [], 0
    while 'MELLON_%s_%d' % (name, i) in env:
        values.append(env['MELLON_%s_%d' % (name, i)])
        i += 1
    attributes[name] = values or [env[key]]

if env.get('SCRIPT_NAME') == '/whoami':
    if name_id is None:
        print('Status: 401 Unauthorized')
        print('Content-Type: application/json')
        print()
        print(json.dumps({'authenticated': False, 'nameId': None, 'attributes': {}}))
    else:
        print('Content-Type: application/json')
        print('Cache-Control: no-store')
        print()
        print(json.dumps({'authenticated': True, 'nameId': name_id, 'attributes': attributes}))
else:
    from html import escape
    print('Content-Type: text/html; charset=utf-8')
    print()
    if name_id is None:
        print('<!doctype html><title>mellon-sp</title><p id="status">Not signed in. <a id="login" href="/login">Sign in with SSO</a></p>')
    else:
        print('<!doctype html><title>mellon-sp</title><p id="status">Signed in as <span id="name-id">%s</span>. <a href="/logout">Sign out</a></p>' % escape(name_id))
