import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderJunit, writeJunitReport } from '../../reports/junit.ts';
import type { RunResult } from '../../shared/result-model.ts';
import { summarize } from '../../shared/result-model.ts';
import { attr, children, parseXml, text } from '../../saml/xml.ts';
import type { Element } from '../../saml/xml.ts';
import { sampleRun } from '../fixtures/reports/sample-run.ts';

function parse(xml: string) {
  const root = parseXml(xml).documentElement!;
  const suites = children(root, undefined, 'testsuite');
  const cases = suites.flatMap((s) => children(s, undefined, 'testcase'));
  const byName = (name: string) => {
    const c = cases.find((t) => attr(t, 'name') === name);
    if (!c) throw new Error(`no testcase ${name}`);
    return c;
  };
  return { root, suites, cases, byName };
}

const only = (el: Element) => children(el).map((c) => c.localName);

describe('renderJunit', () => {
  const run = sampleRun();
  const xml = renderJunit(run);
  const { root, suites, cases, byName } = parse(xml);

  it('is well-formed and totals the run', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    expect(root.localName).toBe('testsuites');
    expect(attr(root, 'tests')).toBe('16');
    expect(attr(root, 'failures')).toBe('2');
    expect(attr(root, 'errors')).toBe('1');
    expect(attr(root, 'skipped')).toBe('2');
    expect(attr(root, 'time')).toBe('108.250');
    expect(cases).toHaveLength(16);
  });

  it('has one testsuite per role and group, with matching classnames', () => {
    expect(suites.map((s) => attr(s, 'name'))).toEqual([
      'samlconf.idp.web-sso',
      'samlconf.idp.nameid',
      'samlconf.idp.signing',
      'samlconf.idp.security',
      'samlconf.idp.metadata',
      'samlconf.sp.web-sso',
      'samlconf.sp.nameid',
      'samlconf.sp.security',
      'samlconf.sp.slo',
    ]);
    for (const s of suites) {
      const tcs = children(s, undefined, 'testcase');
      expect(attr(s, 'tests')).toBe(String(tcs.length));
      for (const t of tcs) expect(attr(t, 'classname')).toBe(attr(s, 'name'));
    }
    const spSecurity = suites[7];
    expect([attr(spSecurity, 'failures'), attr(spSecurity, 'errors'), attr(spSecurity, 'skipped')]).toEqual(['1', '1', '0']);
    expect(attr(children(children(spSecurity, undefined, 'properties')[0])[0], 'value')).toBe('acme-app (http://acme-app.target.test:8080/saml/metadata)');
    expect(attr(byName('sp-xxe-external-entity'), 'time')).toBe('30.004');
  });

  it('turns a failed MUST into <failure> with expected, observed and requirement', () => {
    const tc = byName('sp-xsw3-evil-assertion-before-signed');
    expect(only(tc)).toEqual(['failure']);
    const failure = children(tc)[0];
    expect(attr(failure, 'message')).toBe(
      'logged-in-identity: expected no login, or a login as the signed identity alice@example.test; observed logged in as admin@evil.test (core-5.4.2)',
    );
    expect(attr(failure, 'type')).toBe('core-5.4.2');
    const body = text(failure)!;
    expect(body).toContain('refs: core-5.4.2, Somorovsky2012-XSW3');
    expect(body).toContain('offending XML:');
    expect(body).toContain('<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">admin@evil.test</saml:NameID>');
  });

  it('maps error, not-applicable, warning, review and pass', () => {
    const err = children(byName('sp-xxe-external-entity'))[0];
    expect(err.localName).toBe('error');
    // The reason's BEL character cannot appear in XML 1.0 and is dropped; the rest survives.
    expect(attr(err, 'message')).toBe(
      'The ACS answered HTTP 500 and the browser never reached a page the oracle understands. Body began: <script>alert("xss")</script>',
    );

    const skipped = children(byName('sp-slo-front-channel-redirect'));
    expect(skipped.map((c) => c.localName)).toEqual(['skipped']);
    expect(attr(skipped[0], 'message')).toMatch(/no SingleLogoutService/);

    const warn = children(byName('idp-signing-refuses-sha1-request'));
    expect(warn.map((c) => c.localName)).toEqual(['system-out']);
    expect(text(warn[0])).toContain('WARNING [should] weak-request-signature-refused (bindings-3.4.4.1)');

    const review = children(byName('idp-nameid-email'));
    expect(review.map((c) => c.localName)).toEqual(['system-out']);
    expect(text(review[0])).toMatch(/^REVIEW: The IdP released attributes/);
    expect(text(review[0])).toContain('released-attributes');

    expect(only(byName('idp-web-sso-redirect-post'))).toEqual([]);
  });

  it('escapes hostile strings and strips characters XML 1.0 forbids', () => {
    const hostile = sampleRun();
    const s = hostile.scenarios.find((x) => x.id === 'sp-xsw3-evil-assertion-before-signed')!;
    const nasty = 'a"b\'c<d>&e ]]> \u0000\u0001\u001b[31m\uFFFE\uD800 line1\nline2\ttab';
    s.findings[0].check = 'check';
    s.findings[0].expected = nasty;
    s.findings[0].observed = '</failure></testcase><testcase name="injected"/>';
    s.findings[0].requirement = undefined;
    s.title = 'title with ]]> and <![CDATA[ in it';
    s.id = 'id-with-"quote"-&-<angle>';
    const out = renderJunit(hostile);
    const parsed = parse(out);
    expect(parsed.cases).toHaveLength(16);
    expect(parsed.cases.some((c) => attr(c, 'name') === 'injected')).toBe(false);
    const tc = parsed.byName('id-with-"quote"-&-<angle>');
    const failure = children(tc)[0];
    expect(attr(failure, 'message')).toBe(
      'check: expected a"b\'c<d>&e ]]> [31m line1 line2 tab; observed </failure></testcase><testcase name="injected"/>',
    );
    expect(text(failure)).toContain('title with ]]> and <![CDATA[ in it');
    expect(text(failure)).toContain('expected: a"b\'c<d>&e ]]> [31m line1\nline2\ttab');
    expect(out).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  });

  it('keeps newlines in attributes as character references', () => {
    const r = sampleRun();
    const s = r.scenarios.find((x) => x.id === 'sp-xxe-external-entity')!;
    s.reason = 'first line\nsecond line';
    const err = children(parse(renderJunit(r)).byName('sp-xxe-external-entity'))[0];
    expect(attr(err, 'message')).toBe('first line\nsecond line');
  });

  it('separates targets of the same role into their own suites', () => {
    const r: RunResult = sampleRun();
    const second = r.scenarios.filter((s) => s.role === 'sp').map((s) => ({ ...s, target: 'other-sp' }));
    r.scenarios.push(...second);
    r.targets.push({ name: 'other-sp', role: 'sp' });
    r.summary = summarize(r.scenarios);
    const names = parse(renderJunit(r)).suites.map((s) => attr(s, 'name'));
    expect(names).toContain('samlconf.sp.security [acme-app]');
    expect(names).toContain('samlconf.sp.security [other-sp]');
    expect(names).toContain('samlconf.idp.web-sso'); // one IdP target: no suffix needed
  });

  it('writes junit.xml', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'samlconf-junit-'));
    try {
      const file = await writeJunitReport(run, dir);
      expect(file).toBe(join(dir, 'junit.xml'));
      expect(await readFile(file, 'utf8')).toBe(xml);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
