// The direction of imports (docs/architecture.md), checked in `npm test` (test/architecture.test.ts):
// saml/ is a pure toolkit; shared/ holds what several layers need (the result model, the key store)
// on top of saml/ only; mock-kit/ is what both mocks share; the mocks import only those; reports/
// reads the result model; the harness may use everything below it; nothing imports scenarios/,
// targets/ or test/. Circles are refused everywhere except where listed with a reason.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'saml-imports-nothing-of-ours',
      comment: 'saml/ is the pure protocol toolkit: it imports no other folder of this project',
      severity: 'error',
      from: { path: '^saml/' },
      to: { path: '^(shared|mock-kit|mock-idp|mock-sp|harness|reports|scenarios|targets|test|bench|bin)/' },
    },
    {
      name: 'shared-sits-on-saml',
      comment: 'shared/ (result model, key store) may use saml/ and nothing above it',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(mock-kit|mock-idp|mock-sp|harness|reports|scenarios|targets|test|bench|bin)/' },
    },
    {
      name: 'mock-kit-below-the-mocks',
      comment: 'mock-kit/ serves both mocks, so it imports neither of them',
      severity: 'error',
      from: { path: '^mock-kit/' },
      to: { path: '^(mock-idp|mock-sp|harness|reports|scenarios|targets|test|bench|bin)/' },
    },
    {
      name: 'mocks-import-only-the-layers-below',
      comment: 'a mock imports saml/, shared/ and mock-kit/ only: never the harness, the reports or the other mock',
      severity: 'error',
      from: { path: '^(mock-idp|mock-sp)/' },
      to: { path: '^(harness|reports|scenarios|targets|test|bench|bin)/' },
    },
    {
      name: 'mocks-do-not-import-each-other',
      severity: 'error',
      from: { path: '^mock-idp/' },
      to: { path: '^mock-sp/' },
    },
    {
      name: 'mock-sp-does-not-import-mock-idp',
      severity: 'error',
      from: { path: '^mock-sp/' },
      to: { path: '^mock-idp/' },
    },
    {
      name: 'reports-read-the-result-model-only',
      comment: 'reports/ renders results.json: it reads shared/ (the result model) and saml/ helpers, nothing that runs scenarios',
      severity: 'error',
      from: { path: '^reports/' },
      to: { path: '^(mock-kit|mock-idp|mock-sp|harness|scenarios|targets|test|bench|bin)/' },
    },
    {
      name: 'nothing-imports-scenarios-targets-or-tests',
      comment: 'the catalogue, the reference targets and the tests sit on top; the harness finds scenarios by glob',
      severity: 'error',
      from: { path: '^(saml|shared|mock-kit|mock-idp|mock-sp|reports|harness)/' },
      to: { path: '^(scenarios|targets|test|bench)/' },
    },
    {
      name: 'no-circles',
      comment: 'import circles make layers impossible to read or test on their own',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|samlconf-report|\\.samlconf)/' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    moduleSystems: ['es6', 'cjs'],
  },
};
