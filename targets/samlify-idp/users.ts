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
];

export function checkPassword(username: string, password: string): TestUser | undefined {
  const user = TEST_USERS.find((u) => u.username === username);
  return user && user.password === password ? user : undefined;
}

export function findUser(username: string): TestUser | undefined {
  return TEST_USERS.find((u) => u.username === username);
}
