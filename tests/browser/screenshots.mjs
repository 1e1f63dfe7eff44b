// Screenshots of the counter, the walk-in form, the check-in list and the live queue at
// 1280x1024, for a person to look at (not a test): `node screenshots.mjs OUT_DIR` with
// BASE_URL, PQ_PASSWORD and PQ_TOKEN set as tests/browser/run sets them.
import { launch, signIn, settled, BASE_URL } from './lib.mjs';

const out = process.argv[2] ?? '.';
const token = process.env.PQ_TOKEN;
async function api(path, body) {
  const res = await fetch(`${BASE_URL}/api/v1${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return res.status === 204 ? null : res.json();
}

const browser = await launch();
try {
  for (const [language, party, tier] of [['hat', 5, 'priority'], ['spa', 1, 'standard'], ['prs', 2, 'standard'], ['quc', 3, 'standard']]) {
    await api('/ports/SYS/walk-ins', { party_size: party, language, barriers: ['language'], tier, vulnerabilities: tier === 'priority' ? ['infant'] : [] });
  }
  const page = await signIn(browser, 'ofelia');
  await page.setViewportSize({ width: 1280, height: 1024 });
  await page.goto(`${BASE_URL}/ports/SYS/walk-ins/new`);
  await page.screenshot({ path: `${out}/walk-in-form.png` });
  await page.fill('#f-language-filter', 'dari');
  await page.screenshot({ path: `${out}/walk-in-form-dari.png` });
  await page.goto(`${BASE_URL}/ports/SYS/counters/2`);
  await page.click('button:has-text("Call next")');
  await page.waitForLoadState('load');
  await page.screenshot({ path: `${out}/counter-called.png`, fullPage: true });
  await settled(page);
  await page.click('button:has-text("Complete")');
  await page.waitForLoadState('load');
  await page.screenshot({ path: `${out}/counter-after-complete.png`, fullPage: true });
  await page.goto(`${BASE_URL}/ports/SYS/check-in`);
  await page.fill('input[name=q]', 'SYS-241');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  await page.screenshot({ path: `${out}/check-in-list.png`, fullPage: true });
  await page.goto(`${BASE_URL}/ports/SYS/queue`);
  await page.screenshot({ path: `${out}/live-queue.png`, fullPage: true });
  await page.goto(`${BASE_URL}/ports/SYS/no-such-page`);
  await page.screenshot({ path: `${out}/error-page.png` });
  await page.goto(`${BASE_URL}/board/SYS`);
  await page.waitForTimeout(500);
  await page.screenshot({ path: `${out}/board.png` });
} finally {
  await browser.close();
}
