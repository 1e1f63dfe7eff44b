// Language-matched counters by keyboard alone: open a counter with the languages it covers,
// call next, and see the Punjabi speaker called with her language shown. Counters 41 and 42
// at SYS, which no other test uses; counter 42 covers every language but Punjabi, so whoever
// else other tests left waiting is covered there and counter 41 passes them over. With
// SCREENS_DIR set, the counter page is saved there as a screenshot for a person to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, assertAccessible, tabTo, submitByEnter, expectFocus, describe, BASE_URL } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function register(page, language) {
  await page.goto(`${BASE_URL}/ports/SYS/walk-ins/new`);
  await page.check('input[name=barriers][value=language]');
  await page.selectOption('select[name=language]', language);
  await page.fill('input[name=party_size]', '1');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form[action$="/walk-ins/new"] button[type=submit]')]);
  assert.match(page.url(), /\/entries\/\d+\/ticket/, await describe(page));
}

/** Opens counter `n` with `codes`, by keyboard: Tab to each box, Space, Tab to the button, Enter. */
async function openCounter(page, n, codes) {
  await page.goto(`${BASE_URL}/ports/SYS/counters/${n}`);
  for (const code of codes) {
    await tabTo(page, `input[name=languages][value=${code}]`, 200);
    if (!(await page.isChecked(`input[name=languages][value=${code}]`))) await page.keyboard.press('Space');
  }
  await tabTo(page, 'form[action$="/languages"] button[type=submit]', 200);
  await submitByEnter(page);
  assert.match(page.url(), /note=languages/, await describe(page));
}

test('a counter opened with Punjabi by keyboard calls the Punjabi speaker, passing over one another counter covers', async () => {
  const page = await signIn(browser, 'ofelia');
  await register(page, 'hat');
  await register(page, 'pan');

  // A refused form is accessible, with the message beside the field.
  await page.goto(`${BASE_URL}/ports/SYS/counters/41`);
  await assertAccessible(page, 'counter page with the languages form');
  await tabTo(page, 'form[action$="/languages"] button[type=submit]', 200);
  await submitByEnter(page);
  assert.match(await page.textContent('#f-languages-error'), /at least one language/i);
  await assertAccessible(page, 'counter languages form with an error');

  // Counter 42: every language but Punjabi, ticked by the mouse (the keyboard way is below).
  await page.goto(`${BASE_URL}/ports/SYS/counters/42`);
  for (const box of await page.$$('input[name=languages]')) {
    if ((await box.getAttribute('value')) !== 'pan') await box.check();
  }
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form[action$="/languages"] button[type=submit]')]);
  await openCounter(page, 41, ['pan']);
  assert.match(await page.textContent('#counter-covers'), /Punjabi \(Eastern\)/);
  // "Call next" has the focus on the counter page: Enter calls.
  await page.goto(`${BASE_URL}/ports/SYS/counters/41`);
  await expectFocus(page, 'form[action$="/call-next"] button', 'Call next has the focus');
  await submitByEnter(page);
  assert.match(page.url(), /note=called/, await describe(page));
  assert.equal((await page.textContent('#at-counter-language')).trim(), 'Punjabi (Eastern) (ਪੰਜਾਬੀ)');
  assert.match(await page.textContent('.at-counter'), /this counter speaks it/);
  assert.equal(await page.$('#interpreter-needed'), null, 'no interpreter needed');
  await assertAccessible(page, 'counter page with a Punjabi speaker called');
  if (process.env.SCREENS_DIR) {
    await page.screenshot({ path: `${process.env.SCREENS_DIR}/counter-punjabi.png`, fullPage: true });
  }
  // Back to the plain fair order, so the other tests' counters call as before.
  for (const n of [41, 42]) {
    await page.goto(`${BASE_URL}/ports/SYS/counters/${n}`);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form[action$="/close"] button[type=submit]')]);
  }
});
