// Placeholder peers used when a builder is called without the real entity IDs and URLs.
// They sit under the reserved .test TLD so nothing ever resolves them.
export const BUILDER_DEFAULTS = {
  idpEntityId: 'https://idp.samlconf.test/metadata',
  spEntityId: 'https://sp.samlconf.test/metadata',
  idpSsoUrl: 'https://idp.samlconf.test/sso',
  idpSloUrl: 'https://idp.samlconf.test/slo',
  idpArtifactResolutionUrl: 'https://idp.samlconf.test/artifact',
  spAcsUrl: 'https://sp.samlconf.test/acs',
  spSloUrl: 'https://sp.samlconf.test/slo',
  nameIdValue: 'alice@samlconf.test',
  /** Seconds an assertion (Conditions and bearer SubjectConfirmationData) stays valid by default. */
  lifetimeSeconds: 300,
} as const;
