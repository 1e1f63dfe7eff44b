// Shared helpers for the browser tests: Debian's Chromium, a signed-in page, axe-core.
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
export const AXE_PATH = require.resolve('axe-core/axe.min.js');
export const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
export const PASSWORD = process.env.PQ_PASSWORD ?? 'browser test password';

export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** A new page of 1280x800 (a kiosk screen), signed in as `username` by keyboard alone. */
export async function signIn(browser, username) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  const page = await context.newPage();
  // Pages of earlier tests stay open; autofocus applies only in the page in front.
  await page.bringToFront();
  await page.goto(`${BASE_URL}/login`);
  // The username field has the focus: type, Tab to the password, Enter to submit.
  await expectFocus(page, 'input[name=username]', 'the username field has the focus');
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await submitByEnter(page);
  assert.ok(!page.url().includes('/login'), `still on the sign-in page as ${username}\n${await describe(page)}`);
  return page;
}

/** Presses Enter in a form and waits for the page it leads to. */
export async function submitByEnter(page) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
}

/** Runs axe-core's WCAG 2 A and AA rules and fails with a readable list of violations. */
export async function assertAccessible(page, what) {
  await page.addScriptTag({ path: AXE_PATH });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const problems = result.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`);
  assert.deepEqual(problems, [], `${what} has accessibility violations:\n${problems.join('\n')}`);
}

/** Tabs until the focused element matches `selector`; fails after `limit` presses. */
export async function tabTo(page, selector, limit = 60) {
  for (let i = 0; i < limit; i += 1) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`could not reach ${selector} with Tab`);
}

/** What the page shows now, for a failure message: the address, the focused element and the
 *  start of the main text. */
export async function describe(page) {
  const seen = await page.evaluate(() => {
    const a = document.activeElement;
    return {
      focus: a ? a.outerHTML.slice(0, 200) : '(nothing)',
      text: (document.querySelector('main') ?? document.body)?.innerText.replace(/\s+/g, ' ').slice(0, 600) ?? '',
    };
  }).catch((e) => ({ focus: `(page not readable: ${e.message})`, text: '' }));
  return `at ${page.url()}\n  focus: ${seen.focus}\n  page: ${seen.text}`;
}

/** Waits (up to 3 s) until the focused element matches `selector`; on failure says what had
 *  the focus instead. Autofocus is applied at a rendering step after `load`, so reading the
 *  focus at once is a race. */
export async function expectFocus(page, selector, what) {
  try {
    await page.waitForFunction((s) => document.activeElement?.matches(s) ?? false, selector, { timeout: 3000 });
  } catch {
    assert.fail(`${what}: expected the focus on ${selector}\n${await describe(page)}`);
  }
}

/** Waits until the counter's buttons answer again (they pause briefly after an action). */
export async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('form.settling'), null, { timeout: 3000 });
}
