// Target mode's sign-in: a password page for a pending login, the IdP session it opens (a cookie),
// and answers given from that session, which remember every NameID and SessionIndex issued so
// Single Logout can end exactly those.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS, NS } from '../saml/constants.ts';
import type { NameIdInfo } from '../saml/readers.ts';
import { attr, descendants, parseXml } from '../saml/xml.ts';
import { IDP_SESSION_COOKIE, LOGIN_PATH, PENDING_TTL_MS, firstString, type IdpCore, type IdpSession, type ResponseTarget } from './core.ts';
import { sendFailure, sendPage } from './outgoing.ts';
import { errorPage, loginPage, messagePage } from './pages.ts';
import { newSessionKey } from './personas.ts';
import { answer } from './response.ts';

/** The first NameID of a Response we sent, every attribute as written (what a LogoutRequest must repeat). */
function nameIdIn(xml: string): NameIdInfo | undefined {
  try {
    const el = descendants(parseXml(xml), NS.saml, 'NameID')[0];
    if (!el) return undefined;
    const info: NameIdInfo = { value: el.textContent ?? '' };
    for (const [key, name] of [['format', 'Format'], ['nameQualifier', 'NameQualifier'], ['spNameQualifier', 'SPNameQualifier'], ['spProvidedId', 'SPProvidedID']] as const) {
      const v = attr(el, name);
      if (v !== undefined) info[key] = v;
    }
    return info;
  } catch {
    return undefined;
  }
}

export function askForLogin(core: IdpCore, reply: FastifyReply, target: ResponseTarget, isPassive: boolean) {
  const { scenario, user: _user, ...rest } = target;
  if (isPassive) {
    // No session exists in target mode, so a passive request cannot be satisfied (Core 3.4.1.1).
    return answer(core, reply, target, { code: STATUS.responder, subCode: STATUS.noPassive });
  }
  const token = randomBytes(24).toString('base64url');
  core.pending.set(token, { ...rest, scenarioKey: scenario.key, createdAt: Date.now() });
  return sendPage(reply, loginPage({ action: LOGIN_PATH, token }));
}

/** Target mode: answer for the signed-in user without a login page, and remember the SessionIndex issued. */
export async function answerInSession(core: IdpCore, reply: FastifyReply, target: ResponseTarget, session: IdpSession) {
  const sent = await answer(core, reply, { ...target, user: session.user, sessionKey: target.sessionKey ?? newSessionKey(), authnInstant: session.authnInstant });
  const index = target.scenario.lastResponse?.sessionIndex;
  if (index !== undefined) session.sessionIndexes.push(index);
  const issued = target.scenario.lastResponse && nameIdIn(target.scenario.lastResponse.xml);
  if (issued) session.issued.push({ nameId: issued, ...(index !== undefined ? { sessionIndex: index } : {}) });
  return sent;
}

export async function handleLogin(core: IdpCore, request: FastifyRequest, reply: FastifyReply) {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const token = firstString(body.token) ?? '';
  const login = core.pending.get(token);
  if (!login || Date.now() - login.createdAt > PENDING_TTL_MS) {
    core.pending.delete(token);
    return sendPage(reply, errorPage(400, 'This sign-in has expired or is unknown. Start again from the application.'));
  }
  const username = firstString(body.username) ?? '';
  const password = firstString(body.password) ?? '';
  const user = (core.o.users ?? []).find((u) => u.username !== undefined && u.username === username && u.password === password);
  if (!user) return sendPage(reply, loginPage({ action: LOGIN_PATH, token, error: 'Unknown user or wrong password.', username }));
  core.pending.delete(token);
  if (core.mode === 'target' && core.o.breakdown === 'silent-after-login') return sendPage(reply, messagePage('Signed in', 'You are signed in.'));
  const { scenarioKey, createdAt: _c, isPassive: _p, ...rest } = login;
  const sessionId = randomBytes(24).toString('base64url');
  const session: IdpSession = { user, sessionIndexes: [], issued: [], authnInstant: new Date() };
  core.idpSessions.set(sessionId, session);
  reply.header('set-cookie', `${IDP_SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Lax`);
  try {
    return await answerInSession(core, reply, { ...rest, scenario: core.scenarios.get(scenarioKey), user, sessionKey: newSessionKey() }, session);
  } catch (err) {
    return sendFailure(reply, err);
  }
}
