// What applicants see: the status page behind a ticket's QR code and the "now serving"
// board, in Chromium, with axe-core, and the board following a call by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, assertAccessible, BASE_URL } from './lib.mjs';

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
