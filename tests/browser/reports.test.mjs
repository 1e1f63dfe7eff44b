// The supervisor's daily report of today, read while the day is not over: it says "as of"
// when, passes axe-core, and its day picker is reached and used by keyboard alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, assertAccessible, signIn, tabTo, submitByEnter, BASE_URL } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("today's report says it is as of now, is accessible and works by keyboard", async () => {
  const page = await signIn(browser, 'sergio');
  await page.goto(`${BASE_URL}/ports/SYS/reports`);
  const heading = await page.textContent('h1');
  assert.match(heading, /^Daily report: .*, as of \d\d:\d\d$/);
  const notice = await page.textContent('#glance');
  assert.ok(notice.includes('The day is not over: figures as of'), notice);
  // No hour of the table starts after the reading time.
  const hours = await page.$$eval('#t-hourly tbody th', (cells) => cells.map((c) => c.textContent));
  assert.ok(hours.length >= 1 && hours.length <= 25, `${hours.length} hours`);
  assert.ok(hours.at(-1).includes('so far'), hours.at(-1));
  for (const id of ['t-glance-waits', 't-policy-changes', 't-share-periods', 't-waits-running']) {
    assert.ok(await page.$(`#${id}`), `table ${id}`);
  }
  await assertAccessible(page, "today's report");

  // Keyboard: Tab to the day picker, type yesterday's date, Enter: a complete day.
  await tabTo(page, '#r-date');
  const yesterday = new Date(Date.now() - 2 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  await page.fill('#r-date', yesterday);
  await submitByEnter(page);
  const past = await page.textContent('h1');
  assert.ok(!past.includes('as of'), past);
  assert.equal(await page.$$eval('#t-hourly tbody tr', (rows) => rows.length) >= 23, true);
  await assertAccessible(page, "a past day's report");
});
