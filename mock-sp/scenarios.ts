// Per-scenario state of the mock SP and the attribution of each exchange to a scenario.
// Attribution order (docs/mocks.md, attribution): the x-samlconf-scenario header; message correlation (InResponseTo
// to a request ID this SP sent, then RelayState naming a scenario); the scenario cookie; the
// ?scenario= parameter of mock-owned start URLs; otherwise the default scenario.
import { EvidenceRecorder } from '../mock-kit/recorder.ts';
import type { AcsOutcome, LogoutOutcome, LogoutUrlOptions, SpPlan } from './types.ts';

export const DEFAULT_SCENARIO = 'default';
export const SCENARIO_HEADER = 'x-samlconf-scenario';
export const SCENARIO_COOKIE = 'samlconf_scenario';

/** Bound on remembered message IDs, so a long standalone run cannot grow without limit. */
const MAX_TRACKED_IDS = 50_000;
/** Bound on outcomes kept per scenario (a long-running standalone target keeps the newest). */
const MAX_ITEMS = 2000;

export interface SentRequest {
  id: string;
  binding: 'redirect' | 'post';
  acsUrl?: string;
  nameIdFormat?: string;
  sentAt: string;
}

interface Waiter<T> {
  from: number;
  match: (item: T) => boolean;
  resolve: (item: T | undefined) => void;
  timer: NodeJS.Timeout;
}

/** A list that callers can wait on: resolves with the first matching item at index >= mark. */
class Awaitable<T> {
  readonly items: T[] = [];
  mark = 0;
  private waiters = new Set<Waiter<T>>();

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > MAX_ITEMS) this.dropOldest(this.items.length - MAX_ITEMS / 2);
    for (const w of [...this.waiters]) {
      if (this.items.length - 1 >= w.from && w.match(item)) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        w.resolve(item);
      }
    }
  }

  private dropOldest(n: number): void {
    this.items.splice(0, n);
    this.mark = Math.max(0, this.mark - n);
    for (const w of this.waiters) w.from = Math.max(0, w.from - n);
  }

  /** Move the mark past everything so far: later waits see only what comes next. */
  markNow(): void {
    this.mark = this.items.length;
  }

  wait(timeoutMs: number, match: (item: T) => boolean = () => true): Promise<T | undefined> {
    const found = this.items.slice(this.mark).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const w: Waiter<T> = {
        from: this.mark,
        match,
        resolve,
        timer: setTimeout(() => {
          this.waiters.delete(w);
          resolve(undefined);
        }, Math.max(0, timeoutMs)),
      };
      this.waiters.add(w);
    });
  }

  cancelAll(): void {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(undefined);
    }
    this.waiters.clear();
  }
}

export class ScenarioState {
  readonly key: string;
  plan: SpPlan = {};
  readonly recorder = new EvidenceRecorder('mock-sp');
  readonly requests: SentRequest[] = [];
  readonly outcomes = new Awaitable<AcsOutcome>();
  readonly logoutRequestIds: string[] = [];
  readonly logouts = new Awaitable<LogoutOutcome>();
  /** SP-initiated logouts waiting for the browser to arrive at /slo-start. */
  readonly pendingLogouts = new Map<string, LogoutUrlOptions>();

  constructor(key: string) {
    this.key = key;
  }

  lastRequest(): SentRequest | undefined {
    return this.requests[this.requests.length - 1];
  }

  dispose(): void {
    this.outcomes.cancelAll();
    this.logouts.cancelAll();
  }
}

export interface AttributionHints {
  header?: string;
  inResponseTo?: string;
  relayState?: string;
  cookie?: string;
  query?: string;
}

export class ScenarioRegistry {
  private readonly scenarios = new Map<string, ScenarioState>();
  /** AuthnRequest and LogoutRequest IDs this SP sent, to the scenario that sent them. */
  private readonly sentIds = new Map<string, string>();

  get(key: string): ScenarioState {
    let s = this.scenarios.get(key);
    if (!s) {
      s = new ScenarioState(key);
      this.scenarios.set(key, s);
    }
    return s;
  }

  find(key: string): ScenarioState | undefined {
    return this.scenarios.get(key);
  }

  all(): ScenarioState[] {
    return [...this.scenarios.values()];
  }

  forget(key: string): void {
    const s = this.scenarios.get(key);
    if (!s) return;
    s.dispose();
    this.scenarios.delete(key);
    for (const [id, k] of this.sentIds) if (k === key) this.sentIds.delete(id);
  }

  noteSentId(id: string, key: string): void {
    if (!id) return;
    this.sentIds.set(id, key);
    if (this.sentIds.size > MAX_TRACKED_IDS) this.sentIds.delete(this.sentIds.keys().next().value as string);
  }

  scenarioOfSentId(id: string | undefined): string | undefined {
    return id === undefined ? undefined : this.sentIds.get(id);
  }

  /** Pick the scenario for an exchange; a header or query key creates the scenario if needed. */
  attribute(h: AttributionHints): ScenarioState {
    if (h.header) return this.get(h.header);
    const byId = this.scenarioOfSentId(h.inResponseTo);
    if (byId && this.scenarios.has(byId)) return this.get(byId);
    if (h.relayState !== undefined) {
      const byRelay = this.scenarios.get(h.relayState) ?? this.all().find((s) => s.plan.relayState !== undefined && s.plan.relayState === h.relayState);
      if (byRelay) return byRelay;
    }
    if (h.cookie && this.scenarios.has(h.cookie)) return this.get(h.cookie);
    if (h.query) return this.get(h.query);
    return this.get(DEFAULT_SCENARIO);
  }
}
