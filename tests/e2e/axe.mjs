// axe-core (the npm package, run inside the page) for the end-to-end tests: the standard is zero
// violations on the app, the iframe widget and a page hosting two widgets.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The axe-core violations on the page (shadow roots included, other frames not), as lines. */
export async function axeViolations(page) {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    // Colours are checked as they will stay: a slide still fading in (the story's 0.25 s
    // entrance) would read as low contrast. Endless animations are not waited for.
    const roots = [document, ...[...document.querySelectorAll('*')].flatMap((e) => (e.shadowRoot ? [e.shadowRoot] : []))];
    const all = new Set(roots.flatMap((r) => r.getAnimations()));
    const ending = [...all].filter((a) => a.effect?.getTiming().iterations !== Infinity);
    await Promise.all(ending.map((a) => a.finished.catch(() => {})));
    const result = await window.axe.run(document, { iframes: false, resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
  });
}
