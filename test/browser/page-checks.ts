import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The phone and the desktop widths every page is checked at (issue 16 item 6). */
export const WIDTHS = [390, 1280] as const;

/** How much wider than the window the page is (0: no horizontal overflow). */
export async function horizontalOverflow(page: Page): Promise<number> {
  // Strings run in the page (this project's TypeScript has no DOM types).
  return Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
}

export interface AxeFinding {
  id: string;
  impact: string | null;
  targets: string[];
}

/**
 * axe-core's serious and critical violations on the page as it is now. The engine is evaluated
 * through the DevTools protocol, which the page's Content-Security-Policy does not govern.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeFinding[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    `axe.run(document).then((r) => r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => n.target.join(' ')),
    })))`,
  )) as AxeFinding[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
