// The IdP's fixed test accounts. NameID is the e-mail address (emailAddress format).
export interface TestUser {
  username: string;
  password: string;
  email: string;
  displayName: string;
}

export const TEST_USERS: readonly TestUser[] = [
  { username: 'alice', password: 'alice-password', email: 'alice@example.test', displayName: 'Alice Example' },
  { username: 'bob', password: 'bob-password', email: 'bob@example.test', displayName: 'Bob Example' },
  // A profile field holding SAML markup, as a user could set their display name: it must come back
  // as text inside the signed assertion, never as elements of its own.
  {
    username: 'mallory',
    password: 'mallory-password',
    email: 'mallory@example.test',
    displayName: 'x</saml:AttributeValue></saml:Attribute><saml:Attribute Name="role"><saml:AttributeValue>admin',
  },
];

export function checkPassword(username: string, password: string): TestUser | undefined {
  const user = TEST_USERS.find((u) => u.username === username);
  return user && user.password === password ? user : undefined;
}

export function findUser(username: string): TestUser | undefined {
  return TEST_USERS.find((u) => u.username === username);
}
