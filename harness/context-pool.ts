// Fresh browser contexts made ahead of time. Creating a context and its first page starts a
// renderer process, the slowest step of a scenario; doing it while other scenarios are waiting
// on the network hides that cost. Every context is used by exactly one scenario and then closed,
// so nothing is shared between scenarios: the pool only moves the creation earlier.
import type { Browser, BrowserContext, Page } from 'playwright';
import { newScenarioContext } from './browser.ts';

export interface FreshContext {
  browserContext: BrowserContext;
  page: Page;
}

export class ContextPool {
  private readonly ready: Promise<FreshContext>[] = [];
  private closed = false;

  constructor(
    private readonly browser: Browser,
    /** How many contexts to keep ready beyond the one being taken. */
    private readonly depth: number,
  ) {}

  /** A never-used context and page; a replacement starts being made at once. */
  async take(): Promise<FreshContext> {
    if (this.closed) throw new Error('the browser context pool is closed');
    const next = this.ready.shift() ?? this.create();
    while (this.ready.length < this.depth) this.ready.push(this.create());
    return next;
  }

  /** Close the contexts made ahead that no scenario took. */
  async close(): Promise<void> {
    this.closed = true;
    const left = this.ready.splice(0);
    await Promise.all(left.map((p) => p.then((c) => c.browserContext.close(), () => undefined).catch(() => undefined)));
  }

  private create(): Promise<FreshContext> {
    const made = (async () => {
      const browserContext = await newScenarioContext(this.browser);
      const page = await browserContext.newPage();
      return { browserContext, page };
    })();
    made.catch(() => undefined); // a failure surfaces when a scenario takes this one
    return made;
  }
}
