// A hurried day: a double Enter at the counter, undo, the language picker's matching and
// the check-in search, each as an officer would do it in Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signIn, submitByEnter, expectFocus, settled, describe, BASE_URL } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function registerWalkIn(party) {
  const res = await fetch(`${BASE_URL}/api/v1/ports/SYS/walk-ins`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${process.env.PQ_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ party_size: party, language: 'hat', barriers: ['language'], tier: 'priority', vulnerabilities: ['infant'] }),
  });
  const body = await res.text();
  assert.equal(res.status, 201, body);
  return JSON.parse(body);
}

async function entryStatus(page, ticket) {
  const text = await page.textContent('main');
  return text.includes(ticket);
}

test('a double Enter after "Call next" calls once and completes nobody; undo takes an action back', async () => {
  // Nobody else waits at this port's counter 12 before this test's walk-ins are called.
  const page = await signIn(browser, 'ofelia');
  // Empty the queue first so the call is of this test's party.
  for (;;) {
    await page.goto(`${BASE_URL}/ports/SYS/counters/12`);
    const text = await page.textContent('main');
    if (text.includes('Now at this counter')) {
      await settled(page);
      await Promise.all([page.waitForNavigation(), page.click('button:has-text("Complete")')]);
      continue;
    }
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Call next")')]);
    if ((await page.textContent('main')).includes('Nobody is eligible')) break;
  }
  const party = await registerWalkIn(5);
  await page.goto(`${BASE_URL}/ports/SYS/counters/12`);
  await expectFocus(page, 'button', '"Call next" has the focus');
  // Enter, then Enter again 65 ms later (the page may or may not have changed by then), then
  // a third right after the new page loads.
  const navigated = page.waitForNavigation({ waitUntil: 'load' });
  await page.keyboard.press('Enter');
  await page.waitForTimeout(65);
  await page.keyboard.press('Enter');
  await navigated;
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(1500);
  const main = await page.textContent('main');
  assert.match(main, /Now at this counter/, `the party is still at the counter\n${await describe(page)}`);
  assert.ok(main.includes(party.ticket), `${party.ticket} was called\n${await describe(page)}`);
  assert.doesNotMatch(main, /marked as served/, 'nobody was completed');
  await expectFocus(page, '#at-counter-ticket', 'the focus is on the ticket, not on Complete');

  // Undo the call: the party is back waiting, the counter is free.
  const undoCall = page.locator('form.undo button');
  assert.match(await undoCall.textContent(), new RegExp(`Undo the call of ${party.ticket}`));
  await settled(page);
  await Promise.all([page.waitForNavigation(), undoCall.click()]);
  assert.match(await page.textContent('main'), /Undone/);
  assert.match(await page.textContent('main'), /This counter is free/, await describe(page));
  await page.goto(`${BASE_URL}/ports/SYS/queue`);
  assert.ok(await entryStatus(page, party.ticket), `${party.ticket} waits again`);

  // Call, complete, undo the completion: back at the counter, not served.
  await page.goto(`${BASE_URL}/ports/SYS/counters/12`);
  await expectFocus(page, 'button', '"Call next" has the focus');
  await submitByEnter(page);
  assert.ok((await page.textContent('main')).includes(party.ticket), await describe(page));
  await settled(page);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Complete")')]);
  assert.match(await page.textContent('main'), /marked as served/);
  const undoDone = page.locator('form.undo button');
  assert.match(await undoDone.textContent(), new RegExp(`Undo the completion of ${party.ticket}`));
  await settled(page);
  await Promise.all([page.waitForNavigation(), undoDone.click()]);
  const back = await page.textContent('main');
  assert.match(back, /Now at this counter/, await describe(page));
  assert.ok(back.includes(party.ticket));
  // Leave the counter free for the other tests.
  await settled(page);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Complete")')]);
});

test('the language picker matches word starts, accents and spellings, and says "no match"', async () => {
  const page = await signIn(browser, 'ofelia');
  await page.goto(`${BASE_URL}/ports/SYS/walk-ins/new`);
  await expectFocus(page, '#f-language-filter', 'the language filter has the focus');
  const cases = [
    ['dari', 'prs'], ['kreyol', 'hat'], ['KREYÒL', 'hat'], ['espanol', 'spa'], ['francais', 'fra'],
    ['turkce', 'tur'], ['kiche', 'quc'], ['quiche', 'quc'], ['kekchi', 'kek'], ['mandarin', 'cmn'],
    ['arabic', 'arb'], ['ht', 'hat'], ['prs', 'prs'],
  ];
  for (const [typed, code] of cases) {
    await page.fill('#f-language-filter', typed);
    const chosen = await page.inputValue('#f-language');
    assert.equal(chosen, code, `"${typed}" selects ${code}, not ${chosen}\n${await describe(page)}`);
    const visible = await page.$$eval('#f-language option:not([hidden])', (os) => os.map((o) => o.value).filter(Boolean));
    assert.ok(visible.includes(code), `"${typed}": ${code} is shown`);
    assert.match(await page.textContent('#f-language-match'), /Selected:/);
  }
  // "dari" shows Dari only, never Mandarin.
  await page.fill('#f-language-filter', 'dari');
  const shown = await page.$$eval('#f-language option:not([hidden])', (os) => os.map((o) => o.value).filter(Boolean));
  assert.deepEqual(shown, ['prs']);
  // No match: nothing stays selected, the box says so, Enter stays put, and a submit is refused.
  await page.fill('#f-language-filter', 'zzzz');
  assert.equal(await page.inputValue('#f-language'), '');
  assert.match(await page.textContent('#f-language-match'), /No language matches/);
  await page.keyboard.press('Enter');
  await expectFocus(page, '#f-language-filter', 'Enter with no match stays in the box');
  await page.check('input[name=barriers][value=language]');
  await Promise.all([page.waitForNavigation(), page.click('form[action$="/walk-ins/new"] button[type=submit]')]);
  assert.match(await page.textContent('main'), /choose the applicant's language/i, await describe(page));
});

test('check-in search ignores accents and finds part of a confirmation number', async () => {
  const page = await signIn(browser, 'ofelia');
  for (const q of ['Garcia', 'garcía maria', '24127']) {
    await page.goto(`${BASE_URL}/ports/SYS/check-in`);
    await expectFocus(page, 'input[name=q]', 'the box has the focus');
    await page.keyboard.type(q);
    await submitByEnter(page);
    const text = await page.textContent('main');
    assert.match(text, /SYS-24127/, `"${q}" finds SYS-24127\n${await describe(page)}`);
    assert.match(text, /María José García/);
  }
  await page.goto(`${BASE_URL}/ports/SYS/check-in`);
  await expectFocus(page, 'input[name=q]', 'the box has the focus');
  await submitByEnter(page);
  assert.match(await page.textContent('main'), /Nothing to search for/, await describe(page));
});

test('at 1280x1024 the walk-in submit is in view and the late tag stays in its column', async () => {
  const page = await signIn(browser, 'ofelia');
  await page.setViewportSize({ width: 1280, height: 1024 });
  await page.goto(`${BASE_URL}/ports/SYS/walk-ins/new`);
  const submit = page.locator('form[action$="/walk-ins/new"] button[type=submit]');
  const box = await submit.boundingBox();
  assert.ok(box && box.y >= 0 && box.y + box.height <= 1024, `the submit is in view: ${JSON.stringify(box)}`);
  // Still in view with the focus further down the form.
  await page.focus('#f-barrier_note');
  const after = await submit.boundingBox();
  assert.ok(after && after.y + after.height <= 1024, `still in view: ${JSON.stringify(after)}`);

  // The check-in list: every tag fits inside its own fact.
  await page.goto(`${BASE_URL}/ports/SYS/check-in`);
  await expectFocus(page, 'input[name=q]', 'the box has the focus');
  await page.keyboard.type('SYS-');
  await submitByEnter(page);
  assert.match(await page.textContent('main'), /late: waits with the walk-ins/, 'a late booking is listed');
  const overflowing = await page.$$eval('.facts .tag', (tags) => tags
    .filter((t) => t.getBoundingClientRect().right > t.closest('div').getBoundingClientRect().right + 1)
    .map((t) => t.textContent));
  assert.deepEqual(overflowing, [], 'no tag runs into the next fact');
});

test('a double Enter on a check-in lands on its ticket, and checks in once', async () => {
  const page = await signIn(browser, 'ofelia');
  await page.goto(`${BASE_URL}/ports/SYS/check-in`);
  await expectFocus(page, 'input[name=q]', 'the box has the focus');
  await page.keyboard.type('SYS-24127');
  await submitByEnter(page);
  await expectFocus(page, 'form[action$="/check-in/SYS-24127"] button[type=submit]', 'its check-in button has the focus');
  // Enter, and Enter again 40 ms later while the first is on its way.
  const navigated = page.waitForNavigation({ waitUntil: 'load' }).catch(() => null);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(40);
  await page.keyboard.press('Enter');
  await navigated;
  await page.waitForTimeout(500);
  await page.waitForLoadState('load');
  assert.match(page.url(), /\/entries\/\d+\/ticket/, `on the ticket, not "already checked in"\n${await describe(page)}`);
  const ticket = (await page.textContent('#ticket-number')).trim();
  assert.match(ticket, /^A-\d{4}$/);
  const next = `A-${String(Number(ticket.slice(2)) + 1).padStart(4, '0')}`;
  await page.goto(`${BASE_URL}/ports/SYS/queue`);
  const queue = await page.textContent('main');
  assert.ok(queue.includes(ticket), `${ticket} waits`);
  assert.ok(!queue.includes(next), `checked in once: no ${next}`);
});

// The ticket page's print buttons: window.print and the "did it come out?" question are
// counted instead of shown. `answer` says how the question is answered.
async function ticketPageWatched(page) {
  const seen = { questions: [], answer: false };
  await page.addInitScript(() => { window.__prints = 0; window.print = () => { window.__prints += 1; }; });
  page.on('dialog', (d) => { seen.questions.push(d.message()); if (seen.answer) d.accept(); else d.dismiss(); });
  return seen;
}

/** Presses Enter on the focused submit button, then twice more as soon as the next page is
 *  parsed, as a hurried officer's extra Enters land. */
async function enterThenStrayEnters(page) {
  const arrived = page.waitForNavigation({ waitUntil: 'domcontentloaded' });
  await page.keyboard.press('Enter');
  await arrived;
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(1200);
}

async function assertNothingPrinted(page, seen, what) {
  assert.match(page.url(), /\/entries\/\d+\/ticket$/, `${what}: still on the new ticket\n${await describe(page)}`);
  assert.deepEqual(seen.questions, [], `${what}: no "did it come out?" question`);
  assert.equal(await page.evaluate(() => window.__prints), 0, `${what}: no print dialog`);
  assert.match(await page.textContent('#print-count'), /Not printed yet/, `${what}: nothing recorded`);
}

test('an extra Enter after a check-in or a walk-in neither prints nor asks; a deliberate Enter a moment later does', async () => {
  const page = await signIn(browser, 'ofelia');
  const seen = await ticketPageWatched(page);

  // A check-in by Enter, and two more Enters as the ticket page comes.
  await page.goto(`${BASE_URL}/ports/SYS/check-in`);
  await expectFocus(page, 'input[name=q]', 'the box has the focus');
  await page.keyboard.type('SYS-24301');
  await submitByEnter(page);
  await expectFocus(page, 'form[action$="/check-in/SYS-24301"] button[type=submit]', 'its check-in button has the focus');
  await enterThenStrayEnters(page);
  await assertNothingPrinted(page, seen, 'after a check-in');
  await expectFocus(page, 'form[data-print-first] button', '"Print from this browser" keeps the focus');
  const ticket = (await page.textContent('#ticket-number')).trim();

  // A moment later a deliberate Enter prints, asks, and records the print.
  await settled(page);
  seen.answer = true;
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
  assert.equal(seen.questions.length, 1, seen.questions.join('\n'));
  assert.match(seen.questions[0], new RegExp(`Did ticket ${ticket} come out`));
  assert.match(await page.textContent('#print-count'), /Printed once/, await describe(page));
  seen.questions.length = 0;
  seen.answer = false;

  // A walk-in registered by Enter, and two more Enters as its ticket page comes.
  await page.goto(`${BASE_URL}/ports/SYS/walk-ins/new`);
  await page.selectOption('select[name=language]', 'spa');
  await page.check('input[name=barriers][value=language]');
  await page.fill('input[name=party_size]', '1');
  await page.focus('button:has-text("Register and print ticket")');
  await enterThenStrayEnters(page);
  await assertNothingPrinted(page, seen, 'after a walk-in');

  // Scripts slow to come (a slow link, a fresh release): the stray Enters land before they
  // run, on a page where nothing has the focus yet, and record nothing.
  await page.route('**/static/*.js*', async (route) => {
    await new Promise((r) => setTimeout(r, 700));
    await route.continue();
  });
  await page.goto(`${BASE_URL}/ports/SYS/walk-ins/new`);
  await page.selectOption('select[name=language]', 'spa');
  await page.check('input[name=barriers][value=language]');
  await page.fill('input[name=party_size]', '1');
  await page.focus('button:has-text("Register and print ticket")');
  const landed = page.waitForURL(/\/entries\/\d+\/ticket$/, { waitUntil: 'commit' });
  await page.keyboard.press('Enter');
  await landed;
  await page.waitForSelector('#print-count', { state: 'attached' });
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.waitForLoadState('load');
  await page.waitForTimeout(1200);
  await assertNothingPrinted(page, seen, 'after a walk-in, its scripts slow to come');
  await page.unroute('**/static/*.js*');

  // Without the scripts nothing has the focus on landing (an Enter records nothing); the
  // button, reached with Tab, records a print made with the browser's menu at once.
  await page.route('**/static/*.js*', (route) => route.abort());
  await page.reload({ waitUntil: 'load' });
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
  assert.match(await page.textContent('#print-count'), /Not printed yet/, 'an Enter with nothing focused');
  await page.focus('form[data-print-first] button');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
  assert.match(await page.textContent('#print-count'), /Printed once/, await describe(page));
  assert.deepEqual(seen.questions, [], 'no question without the scripts');
  await page.unroute('**/static/*.js*');
});
