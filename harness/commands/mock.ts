// `samlconf mock-idp` and `samlconf mock-sp`: one mock on its own, with the harness's stable keys.
import path from 'node:path';
import { loadAttackerCredential, loadPeerIdentity } from '../state.ts';

export interface MockCommandOptions {
  port?: number;
  peerMetadata?: string;
  stateDir?: string;
}

export async function mockCommand(which: 'mock-idp' | 'mock-sp', o: MockCommandOptions): Promise<number> {
  const stateDir = path.resolve(o.stateDir ?? '.samlconf');
  const role = which === 'mock-idp' ? 'idp' : 'sp';
  const identity = await loadPeerIdentity(stateDir, role);
  const attacker = await loadAttackerCredential(stateDir);
  if (which === 'mock-idp') {
    const { runStandaloneMockIdp } = await import('../../mock-idp/standalone.ts');
    await runStandaloneMockIdp({ port: o.port, spMetadata: o.peerMetadata, signing: identity.signing, encryption: identity.encryption, attacker, entityId: identity.entityId });
  } else {
    const { runStandaloneMockSp } = await import('../../mock-sp/standalone.ts');
    await runStandaloneMockSp({ port: o.port, idpMetadata: o.peerMetadata, signing: identity.signing, encryption: identity.encryption, attacker, entityId: identity.entityId });
  }
  return 0;
}
