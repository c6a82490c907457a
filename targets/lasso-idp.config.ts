// The Lasso IdP (targets/lasso-idp) alone, as it is configured in targets/debian-stacks.config.ts.
// Run: node bin/samlconf.js run --config targets/lasso-idp.config.ts
// Its expected verdicts are pinned in targets/lasso-idp/expected.json (test/targets/lasso-idp.test.ts).
import { defineConfig } from '../harness/index.ts';
import { lassoIdp } from './debian-stacks.config.ts';

export default defineConfig({ targets: [lassoIdp] });
