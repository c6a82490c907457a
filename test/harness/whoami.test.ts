// The whoami oracle: only answers that say who (or that nobody) is logged in count. Anything
// samlconf cannot read is an error naming its first bytes, never "nobody logged in", which would
// let every negative scenario pass against a broken oracle.
import { describe, expect, it } from 'vitest';
import { readWhoami } from '../../harness/sp-flows.ts';

const oracle = { whoami: 'http://app.test/whoami' };

describe('reading a whoami answer', () => {
  it('reads the shapes it knows', () => {
    expect(readWhoami(oracle, 200, '{"nameId":"alice@example.test"}')).toMatchObject({ loggedIn: true, nameId: 'alice@example.test' });
    expect(readWhoami(oracle, 200, '{"authenticated":true,"nameId":"_abc","attributes":{}}')).toMatchObject({ loggedIn: true, nameId: '_abc' });
    expect(readWhoami(oracle, 200, '{"authenticated":false,"nameId":null}')).toMatchObject({ loggedIn: false });
    expect(readWhoami(oracle, 200, '{"nameId":null}')).toMatchObject({ loggedIn: false });
    expect(readWhoami(oracle, 200, '{"user":"bob"}')).toMatchObject({ loggedIn: true, nameId: 'bob' });
  });

  it('refuses an empty body, text, non-objects and unknown shapes, naming the first bytes', () => {
    expect(() => readWhoami(oracle, 200, '')).toThrow(/answered 200 with an empty body/);
    expect(() => readWhoami(oracle, 200, 'OK <html>welcome</html>')).toThrow(/not JSON \(first bytes: "OK <html>welcome<\/html>"\)/);
    expect(() => readWhoami(oracle, 200, '[1,2]')).toThrow(/not an object/);
    // authentik's users/me shape without identityPath: the user is an object, not a NameID.
    expect(() => readWhoami(oracle, 200, '{"user":{"username":"alice","email":"alice@example.test"}}')).toThrow(/shape it does not know.*oracle\.identityPath/);
  });

  it('follows oracle.identityPath into nested JSON', () => {
    const authentik = { ...oracle, identityPath: 'user.username' };
    expect(readWhoami(authentik, 200, '{"user":{"pk":3,"username":"alice@example.test"}}')).toMatchObject({ loggedIn: true, nameId: 'alice@example.test' });
    expect(readWhoami(authentik, 200, '{"user":null}')).toMatchObject({ loggedIn: false });
    expect(() => readWhoami(authentik, 200, '{"detail":"x"}')).toThrow(/no text at oracle\.identityPath 'user\.username'/);
  });
});
