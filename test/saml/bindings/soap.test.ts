import { describe, expect, it } from 'vitest';
import { NS } from '../../../saml/constants.ts';
import { XmlSafetyError, parseXml, serialize } from '../../../saml/xml.ts';
import { SoapFaultError, soapFault, unwrapSoap, wrapSoap } from '../../../saml/bindings/index.ts';

const RESOLVE =
  '<samlp:ArtifactResolve xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="2024-05-01T12:00:00Z"><saml:Issuer>https://sp.example.test</saml:Issuer><samlp:Artifact>AAQAAA==</samlp:Artifact></samlp:ArtifactResolve>';
const ENV_OPEN = `<s:Envelope xmlns:s="${NS.soap}">`;

function xmlCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(XmlSafetyError);
    return (err as XmlSafetyError).code;
  }
  throw new Error('expected an XmlSafetyError');
}

describe('SOAP 1.1 binding', () => {
  it('wraps and unwraps a message, dropping an XML declaration', () => {
    const env = wrapSoap(`<?xml version="1.0" encoding="UTF-8"?>\n${RESOLVE}`);
    const root = parseXml(env).documentElement!;
    expect([root.namespaceURI, root.localName]).toEqual([NS.soap, 'Envelope']);
    const inner = unwrapSoap(env);
    expect([inner.namespaceURI, inner.localName]).toEqual([NS.samlp, 'ArtifactResolve']);
    expect(serialize(inner)).toBe(RESOLVE);
  });

  it('accepts a Header and whitespace, any envelope prefix', () => {
    const env = `${ENV_OPEN}\n  <s:Header><x:h xmlns:x="urn:x"/></s:Header>\n  <s:Body>\n    ${RESOLVE}\n  </s:Body>\n</s:Envelope>`;
    expect(unwrapSoap(env).getAttribute('ID')).toBe('_r1');
  });

  it('turns a Fault into SoapFaultError with code and string', () => {
    let fault: unknown;
    try {
      unwrapSoap(soapFault('Client', 'bad <artifact> & more'));
    } catch (err) {
      fault = err;
    }
    expect(fault).toBeInstanceOf(SoapFaultError);
    expect((fault as SoapFaultError).faultCode).toBe('SOAP-ENV:Client');
    expect((fault as SoapFaultError).faultString).toBe('bad <artifact> & more');
    const withDetail = `${ENV_OPEN}<s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>down</faultstring><detail><e>x</e></detail></s:Fault></s:Body></s:Envelope>`;
    expect(() => unwrapSoap(withDetail)).toThrow(SoapFaultError);
    try {
      unwrapSoap(withDetail);
    } catch (err) {
      expect((err as SoapFaultError).detailXml).toBe('<detail><e>x</e></detail>');
      expect((err as SoapFaultError).faultCode).toBe('s:Server');
    }
  });

  it('requires exactly one element in exactly one Body', () => {
    expect(xmlCode(() => unwrapSoap(`${ENV_OPEN}<s:Body/></s:Envelope>`))).toBe('malformed');
    expect(xmlCode(() => unwrapSoap(`${ENV_OPEN}<s:Body>${RESOLVE}${RESOLVE}</s:Body></s:Envelope>`))).toBe('malformed');
    expect(xmlCode(() => unwrapSoap(`${ENV_OPEN}<s:Body>${RESOLVE}</s:Body><s:Body>${RESOLVE}</s:Body></s:Envelope>`))).toBe('malformed');
    expect(xmlCode(() => unwrapSoap(`${ENV_OPEN}<s:Body>text${RESOLVE}</s:Body></s:Envelope>`))).toBe('malformed');
    expect(xmlCode(() => unwrapSoap(`${ENV_OPEN}<s:Body>${RESOLVE}</s:Body><evil/></s:Envelope>`))).toBe('malformed');
    // SOAP 1.2 envelope namespace, or no envelope at all.
    expect(xmlCode(() => unwrapSoap(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${RESOLVE}</s:Body></s:Envelope>`))).toBe('malformed');
    expect(xmlCode(() => unwrapSoap(RESOLVE))).toBe('malformed');
  });

  it('parses hostile envelopes safely', () => {
    const doctype = `<!DOCTYPE s:Envelope [<!ENTITY x "y">]>${ENV_OPEN}<s:Body>${RESOLVE}</s:Body></s:Envelope>`;
    expect(xmlCode(() => unwrapSoap(doctype))).toBe('doctype');
    expect(xmlCode(() => unwrapSoap('<s:Envelope'))).toBe('malformed');
  });
});
