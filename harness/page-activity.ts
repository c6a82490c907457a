// How long a page has been quiet: no main-frame navigation, no request started or finished, and
// nothing in flight. "The IdP has said its last word" is judged from this rather than from a fixed
// wait after the load event, so a single-page login app still fetching is not taken for finished,
// and a plain error page is recognised as soon as the quiet period has passed.
import type { Frame, Page, Request } from 'playwright';

/** How long a page must stay quiet to count as the target's last word (Playwright's networkidle uses the same). */
export const LAST_WORD_QUIET_MS = 500;

/** A request open this long is background traffic (a long poll, a stream), not the flow. */
const BACKGROUND_AFTER_MS = 2_000;

export interface PageActivity {
  /** Milliseconds since the last navigation or request event; 0 while a request is in flight. */
  quietForMs(): number;
  stop(): void;
}

export function watchPageActivity(page: Page): PageActivity {
  const open = new Map<Request, number>();
  let lastEvent = performance.now();
  const started = (r: Request) => {
    open.set(r, performance.now());
    lastEvent = performance.now();
  };
  const ended = (r: Request) => {
    open.delete(r);
    lastEvent = performance.now();
  };
  const navigated = (frame: Frame) => {
    if (frame === page.mainFrame()) lastEvent = performance.now();
  };
  page.on('request', started);
  page.on('requestfinished', ended);
  page.on('requestfailed', ended);
  page.on('framenavigated', navigated);
  return {
    quietForMs() {
      const now = performance.now();
      for (const since of open.values()) if (now - since < BACKGROUND_AFTER_MS) return 0;
      return now - lastEvent;
    },
    stop() {
      page.off('request', started);
      page.off('requestfinished', ended);
      page.off('requestfailed', ended);
      page.off('framenavigated', navigated);
    },
  };
}
