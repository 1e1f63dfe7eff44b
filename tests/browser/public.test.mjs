// What applicants see: the status page behind a ticket's QR code and the "now serving"
// board, in Chromium, with axe-core, and the board following a call by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, assertAccessible, signIn, BASE_URL } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function api(method, path, body) {
  const response = await fetch(`${BASE_URL}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${process.env.PQ_TOKEN}`, 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  return { status: response.status, body: response.status === 204 ? null : await response.json() };
}

test('the status page is accessible in Arabic, right to left, with no personal data', async () => {
  const { status, body } = await api('POST', '/ports/SYS/walk-ins', {
    party_size: 2, language: 'arb', barriers: ['literacy'], name: 'Layla Haddad', nationality: 'Syria',
    barrier_note: 'could not read the app',
  });
  assert.equal(status, 201);
  const page = await (await browser.newContext({ viewport: { width: 360, height: 740 }, bypassCSP: true })).newPage();
  await page.goto(body.status_url);
  assert.equal(await page.getAttribute('html', 'lang'), 'ar');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  const text = await page.textContent('body');
  assert.ok(text.includes(body.ticket), 'shows the ticket number');
  for (const secret of ['Layla', 'Haddad', 'Syria', 'could not read']) {
    assert.ok(!text.includes(secret), `${secret} must not appear`);
  }
  await assertAccessible(page, 'status page (Arabic)');
});

test('the board is accessible and shows a call by itself, without reloading', async () => {
  await api('POST', '/ports/SYS/walk-ins', { party_size: 1, language: 'spa', barriers: ['technical'] });
  const page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 }, bypassCSP: true })).newPage();
  await page.goto(`${BASE_URL}/board/SYS`);
  await assertAccessible(page, 'board');
  await page.evaluate(() => { window.__sameDocument = true; });
  const { status, body } = await api('POST', '/ports/SYS/counters/7/call-next');
  assert.equal(status, 200);
  await page.waitForFunction(
    (ticket) => document.body.textContent.includes(ticket) && document.body.textContent.includes('7'),
    body.ticket,
    // The feed pushes within about a second; the generous limit only keeps a loaded CI
    // machine from failing a test of behaviour, not of speed.
    { timeout: 15000 },
  );
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'updated in place, not by a reload');
});

test("the board says a call in the called ticket's language first, with offline voices only", async () => {
  // A supervisor turns the port setting on.
  const supervisor = await signIn(browser, 'sergio');
  await supervisor.goto(`${BASE_URL}/ports/SYS/policy`);
  await supervisor.check('#f-announce_ticket_language');
  await Promise.all([
    supervisor.waitForNavigation({ waitUntil: 'load' }),
    supervisor.click('button:has-text("Save announcements")'),
  ]);
  assert.ok(supervisor.url().includes('saved=announce'), supervisor.url());

  // Empty the queue, then one Arabic speaker waits.
  // Each call takes a counter of its own (a counter with someone at it calls no one else).
  for (let i = 0; i < 30; i++) {
    if ((await api('POST', `/ports/SYS/counters/${20 + i}/call-next`)).status !== 200) break;
  }
  const { status } = await api('POST', '/ports/SYS/walk-ins', { party_size: 1, language: 'arb', barriers: ['literacy'] });
  assert.equal(status, 201);

  // A screen whose browser has offline Arabic and Spanish voices and only a network English one.
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, bypassCSP: true });
  await context.addInitScript(() => {
    window.__spoken = [];
    const voices = [
      { lang: 'ar-SA', localService: true, name: 'Arabic' },
      { lang: 'es-ES', localService: true, name: 'Spanish' },
      { lang: 'en-US', localService: false, name: 'English (network)' },
    ];
    const synth = {
      getVoices: () => voices,
      speak: (u) => window.__spoken.push([u.lang, u.text]),
      cancel() {},
      addEventListener() {},
    };
    Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
    window.SpeechSynthesisUtterance = function (text) { this.text = text; };
  });
  const page = await context.newPage();
  await page.goto(`${BASE_URL}/board/SYS`);
  const voices = await page.textContent('#board-voices');
  assert.match(voices, /Voice: es, ar/, voices);
  assert.match(voices, /chime only: en/, voices);
  // The line's words come from the page, in the board's languages (Spanish, then English).
  assert.match(voices, /^Voz \/ Voice: es, ar · Sin voz, solo sonido \/ No voice, chime only: en/, voices);
  assert.equal(await page.getAttribute('#board-voices [data-words="voice"] span', 'lang'), 'en');
  await page.click('#board-sound');

  const called = await api('POST', '/ports/SYS/counters/9/call-next');
  assert.equal(called.status, 200);
  await page.waitForFunction(() => window.__spoken.length >= 2, null, { timeout: 15000 });
  const spoken = await page.evaluate(() => window.__spoken);
  assert.equal(spoken[0][0], 'ar', JSON.stringify(spoken));
  assert.ok(spoken[0][1].includes('9'), 'the counter is said');
  assert.equal(spoken[1][0], 'es', JSON.stringify(spoken));
  assert.ok(!spoken.some(([lang]) => lang === 'en'), 'no network voice');
  // The language is never shown on the board.
  const text = await page.textContent('main');
  assert.ok(!text.includes('العربية') && !text.includes('Arabic'), text);
  await assertAccessible(page, 'board with announcements');
});


test("the board is headed in the port's languages, each marked, and stays accessible", async () => {
  // The admin says Otay Mesa's counters cover Portuguese and English.
  const admin = await signIn(browser, 'ada');
  await admin.goto(`${BASE_URL}/ports/OTY/languages`);
  await admin.fill('#f-default_languages', 'por, eng');
  await Promise.all([
    admin.waitForNavigation({ waitUntil: 'load' }),
    admin.click('form:has(#f-default_languages) button[type=submit]'),
  ]);
  assert.ok(admin.url().includes('saved=1'), admin.url());

  const page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 }, bypassCSP: true })).newPage();
  await page.goto(`${BASE_URL}/board/OTY`);
  assert.equal(await page.getAttribute('html', 'lang'), 'pt');
  const heading = await page.textContent('#called-heading');
  assert.match(heading, /^Atendendo agora · Now serving$/, heading);
  assert.equal(await page.getAttribute('#called-heading span', 'lang'), 'en');
  assert.ok(!(await page.textContent('body')).includes('Atendiendo'), 'no Spanish');
  // The staff's button is in the board's languages too.
  const button = (await page.textContent('#board-sound')).trim();
  assert.match(button, /^Som \/ Sound: Português, English$/, button);
  assert.equal(await page.getAttribute('#board-sound span', 'lang'), 'en');
  await assertAccessible(page, 'board in Portuguese and English');
});
