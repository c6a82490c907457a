// What the logout scenarios read from TargetFacts: an SP target's configured logoutUrl (absent
// facts make SP-initiated logout not-applicable) and the SLO bindings of its metadata.
import { describe, expect, it } from 'vitest';
import type { TargetConfig } from '../../harness/config.ts';
import { targetFactsFrom } from '../../harness/target-facts.ts';
import { BINDING } from '../../saml/constants.ts';
import { createCredential } from '../../saml/keys.ts';
import { buildSpMetadata, parseMetadata } from '../../saml/metadata.ts';
import { requiresSpLogoutUrl, requiresSpSlo } from '../../scenarios/sp/logout/slo-support.ts';

const cert = createCredential({ type: 'rsa' }, { commonName: 'logout facts sp' }).certPem;

function spEntity(slo: boolean) {
  const xml = buildSpMetadata({
    entityId: 'https://sp.example.test/metadata',
    signingCertPem: cert,
    acsServices: [{ binding: BINDING.post, location: 'https://sp.example.test/acs' }],
    ...(slo ? { sloServices: [{ binding: BINDING.post, location: 'https://sp.example.test/slo' }] } : {}),
  });
  return parseMetadata(xml)[0]!;
}

const base: TargetConfig = { name: 'sp', role: 'sp', metadata: 'https://sp.example.test/metadata', loginUrl: 'https://sp.example.test/login' };

describe('logout facts', () => {
  it('carries the configured logoutUrl of an SP target, and none when it is not configured', () => {
    expect(targetFactsFrom({ ...base, logoutUrl: 'https://sp.example.test/logout' }, spEntity(true)).logoutUrl).toBe('https://sp.example.test/logout');
    expect('logoutUrl' in targetFactsFrom(base, spEntity(true))).toBe(false);
  });

  it('makes SP-initiated logout not-applicable without a logoutUrl or an SLO endpoint, with the reason', () => {
    expect(requiresSpLogoutUrl(targetFactsFrom({ ...base, logoutUrl: 'https://sp.example.test/logout' }, spEntity(true)))).toBe(true);
    expect(requiresSpLogoutUrl(targetFactsFrom(base, spEntity(true)))).toMatch(/no logoutUrl/);
    expect(requiresSpLogoutUrl(targetFactsFrom({ ...base, logoutUrl: 'https://sp.example.test/logout' }, spEntity(false)))).toMatch(/no SingleLogoutService/);
  });

  it('matches the SLO binding a variant needs against the metadata', () => {
    const facts = targetFactsFrom(base, spEntity(true));
    expect(requiresSpSlo(facts, 'post')).toBe(true);
    expect(requiresSpSlo(facts, 'redirect')).toBe('the SP metadata lists no SingleLogoutService for HTTP-Redirect');
  });
});
