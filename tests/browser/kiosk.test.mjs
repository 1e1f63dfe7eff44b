// The officer kiosk, by keyboard alone, and every page through axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, assertAccessible, tabTo, submitByEnter, expectFocus, BASE_URL } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the sign-in page is accessible and a wrong password is named beside the field', async () => {
  const page = await (await browser.newContext({ bypassCSP: true })).newPage();
  await page.bringToFront();
  await page.goto(`${BASE_URL}/login`);
  await assertAccessible(page, 'sign-in page');
  await page.keyboard.type('ofelia');
  await page.keyboard.press('Tab');
  await page.keyboard.type('not the password');
  await submitByEnter(page);
  assert.match(await page.textContent('body'), /wrong username or password/i);
  assert.equal(await page.inputValue('input[name=username]'), 'ofelia', 'what was typed is kept');
  await assertAccessible(page, 'sign-in page with an error');
});

test('an officer registers a walk-in by keyboard alone and gets a ticket', async () => {
  const page = await signIn(browser, 'ofelia');
  await page.goto(`${BASE_URL}/ports/SYS/walk-ins/new`);
  await assertAccessible(page, 'walk-in form');
  // Submit empty: every broken rule is named and the page stays accessible.
  await tabTo(page, 'button[type=submit], input[type=submit]');
  await submitByEnter(page);
  const errors = await page.textContent('body');
  assert.match(errors, /at least one reason/i);
  await assertAccessible(page, 'walk-in form with errors');

  await tabTo(page, 'input[name=barriers][value=language]');
  await page.keyboard.press('Space');
  await tabTo(page, 'select[name=language]');
  await page.selectOption('select[name=language]', 'hat');
  await tabTo(page, 'input[name=party_size]');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('3');
  await submitByEnter(page);
  assert.match(page.url(), /\/entries\/\d+\/ticket/);
  assert.match(await page.textContent('body'), /W-\d{4}/);
  await assertAccessible(page, 'ticket page');
});

test('Back from a new ticket shows an empty form, so sending it again makes no second ticket', async () => {
  const page = await signIn(browser, 'ofelia');
  await page.goto(`${BASE_URL}/ports/SYS/walk-ins/new`);
  await page.selectOption('select[name=language]', 'por');
  await page.check('input[name=barriers][value=literacy]');
  await page.fill('input[name=party_size]', '3');
  await page.fill('input[name=name]', 'Back Button Person');
  await page.focus('input[name=name]');
  await submitByEnter(page);
  assert.match(page.url(), /\/entries\/\d+\/ticket/);
  const before = await page.request.get(`${BASE_URL}/ports/SYS/queue`).then((r) => r.text());
  const waiting = (before.match(/W-\d{4}/g) ?? []).length;
  // A tired officer goes Back and presses Enter on the form again: the browser must not
  // refill it (with a fresh submission key the server would take it as a new person).
  await page.goBack();
  await page.waitForLoadState('load');
  assert.match(page.url(), /walk-ins\/new$/);
  assert.equal(await page.inputValue('select[name=language]'), '', 'no language refilled');
  assert.equal(await page.isChecked('input[name=barriers][value=literacy]'), false, 'no barrier refilled');
  assert.equal(await page.inputValue('input[name=party_size]'), '1', 'the party size is the default again');
  await tabTo(page, 'button[type=submit]');
  await submitByEnter(page);
  assert.match(await page.textContent('body'), /at least one reason/i, 'the empty form is refused, not registered');
  const after = await page.request.get(`${BASE_URL}/ports/SYS/queue`).then((r) => r.text());
  assert.equal((after.match(/W-\d{4}/g) ?? []).length, waiting, 'no second ticket');
});

test('the live queue, counter and check-in pages are accessible and the counter calls by keyboard', async () => {
  const page = await signIn(browser, 'ofelia');
  await page.goto(`${BASE_URL}/ports/SYS/queue`);
  assert.match(await page.textContent('body'), /W-\d{4}/);
  await assertAccessible(page, 'live queue');
  // Check-in: the search box has the focus; type a name, Enter searches (by POST, so the name
  // stays out of the address), and the first booking's check-in button takes the focus.
  await page.goto(`${BASE_URL}/ports/SYS/check-in`);
  await expectFocus(page, 'input[name=q]', 'the box has the focus');
  await page.keyboard.type('Perez');
  await submitByEnter(page);
  assert.equal(new URL(page.url()).pathname, '/ports/SYS/check-in');
  assert.ok(!page.url().includes('Perez'), `the name is not in the address: ${page.url()}`);
  assert.match(await page.textContent('body'), /AB-1001/);
  assert.equal(await page.inputValue('input[name=q]'), 'Perez', 'what was typed is kept');
  assert.match(
    await page.evaluate(() => document.activeElement?.textContent ?? ''),
    /Check in AB-1001/,
    'the first booking\'s check-in button has the focus',
  );
  await assertAccessible(page, 'check-in search');
  // An old bookmark with the name in the address shows the empty form and searches nothing.
  await page.goto(`${BASE_URL}/ports/SYS/check-in?q=AB-1001`);
  assert.doesNotMatch(await page.textContent('main'), /AB-1001|Ana Perez/);
  await page.goto(`${BASE_URL}/ports/SYS/counters/4`);
  await assertAccessible(page, 'free counter');
  // "Call next" has the focus.
  await expectFocus(page, 'button', '"Call next" has the focus');
  await submitByEnter(page);
  assert.match(await page.textContent('body'), /W-\d{4}|A-\d{4}/);
  await assertAccessible(page, 'counter with a called ticket');
});

test('supervisor and admin pages are accessible', async () => {
  const supervisor = await signIn(browser, 'sergio');
  for (const path of ['/ports/SYS/policy', '/ports/SYS/appointments/import']) {
    await supervisor.goto(`${BASE_URL}${path}`);
    await assertAccessible(supervisor, path);
  }
  const admin = await signIn(browser, 'ada');
  for (const path of ['/admin/ports', '/admin/accounts', '/account/password']) {
    await admin.goto(`${BASE_URL}${path}`);
    await assertAccessible(admin, path);
  }
});

test('an officer of another port is refused', async () => {
  const page = await signIn(browser, 'ofelia');
  const response = await page.goto(`${BASE_URL}/ports/OTY/queue`);
  assert.equal(response.status(), 403);
});
