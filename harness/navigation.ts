// Small browser-navigation pieces every flow needs: open a URL where the target's own redirects or
// auto-POST may cut the navigation short, tell which site a URL is on, and pause.
import type { Page } from 'playwright';

/** Navigate and wait for the load event; a navigation interrupted by the target's next one is normal. */
export async function openPage(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' }).catch((err: Error) => {
    if (!/interrupted|aborted|ERR_ABORTED/i.test(err.message)) throw err;
  });
}

export function onOrigin(url: string, base: string): boolean {
  try {
    return new URL(url).origin === new URL(base).origin;
  } catch {
    return false;
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
