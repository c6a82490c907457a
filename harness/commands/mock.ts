// `samlconf mock-idp` and `samlconf mock-sp`: one mock on its own, with the harness's stable keys.
import path from 'node:path';
import { UsageError } from '../cli-contract.ts';
import { loadAttackerCredential, loadPeerIdentity } from '../../shared/key-store.ts';

export interface MockCommandOptions {
  port?: number;
  peerMetadata?: string;
  stateDir?: string;
  mode?: 'mock' | 'target';
  /** Comma-separated weakness names (target mode). */
  weaknesses?: string;
  persona?: string;
}

export async function mockCommand(which: 'mock-idp' | 'mock-sp', o: MockCommandOptions): Promise<number> {
  try {
    return await runMock(which, o);
  } catch (err) {
    // A bare `listen EADDRINUSE` names neither the option nor what to do.
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`--port: port ${o.port} is already in use; stop what uses it or choose another port (0 = any free port)`);
    throw err;
  }
}

async function runMock(which: 'mock-idp' | 'mock-sp', o: MockCommandOptions): Promise<number> {
  const stateDir = path.resolve(o.stateDir ?? '.samlconf');
  const role = which === 'mock-idp' ? 'idp' : 'sp';
  if (o.weaknesses !== undefined) {
    // Check the names before anything starts, so a typo is a usage error, not a crash.
    try {
      if (which === 'mock-idp') (await import('../../mock-idp/standalone.ts')).parseIdpWeaknessList(o.weaknesses);
      else (await import('../../mock-sp/index.ts')).parseWeaknessList(o.weaknesses);
    } catch (err) {
      throw new UsageError(`--weakness: ${(err as Error).message}`);
    }
  }
  // As a target, a mock keeps keys of its own: it must never share the harness's identity.
  const own = o.mode === 'target' ? {} : await harnessIdentity(stateDir, role);
  if (which === 'mock-idp') {
    const { runStandaloneMockIdp } = await import('../../mock-idp/standalone.ts');
    const { PERSONAS } = await import('../../mock-idp/personas.ts');
    if (o.persona !== undefined && !(o.persona in PERSONAS)) throw new UsageError(`--persona: unknown persona "${o.persona}" (choose from ${Object.keys(PERSONAS).join(', ')})`);
    return runStandaloneMockIdp({ ...own, stateDir, port: o.port, spMetadata: o.peerMetadata, mode: o.mode, weaknesses: o.weaknesses, persona: o.persona as never });
  }
  const { runStandaloneMockSp } = await import('../../mock-sp/standalone.ts');
  return runStandaloneMockSp({ ...own, stateDir, port: o.port, idpMetadata: o.peerMetadata, mode: o.mode, weaknesses: o.weaknesses });
}

async function harnessIdentity(stateDir: string, role: 'idp' | 'sp') {
  const identity = await loadPeerIdentity(stateDir, role);
  return { signing: identity.signing, encryption: identity.encryption, attacker: await loadAttackerCredential(stateDir), entityId: identity.entityId };
}
