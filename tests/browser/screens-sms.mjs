// Screenshots of the pages text messages touch, for a person to look at (not a test):
// `node screens-sms.mjs OUT_DIR LABEL` against a server started with or without an SMS
// gateway (BASE_URL, PQ_PASSWORD as tests/browser/run sets them).
import { launch, signIn, BASE_URL } from './lib.mjs';

const [out = '.', label = 'x'] = process.argv.slice(2);
const browser = await launch();
try {
  const page = await signIn(browser, 'ofelia');
  await page.setViewportSize({ width: 1280, height: 1024 });
  await page.goto(`${BASE_URL}/ports/SYS/walk-ins/new`);
  await page.screenshot({ path: `${out}/${label}-walk-in.png`, fullPage: true });
  if (await page.$('#f-phone')) {
    await page.selectOption('#f-language', 'spa');
    await page.check('#f-barriers');
    await page.fill('#f-phone', '664 123 45');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Register and print ticket")')]);
    await page.screenshot({ path: `${out}/${label}-walk-in-bad-phone.png`, fullPage: true });
    await page.fill('#f-phone', '+52 664 123 4567');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Register and print ticket")')]);
  } else {
    await page.selectOption('#f-language', 'spa');
    await page.check('#f-barriers');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Register and print ticket")')]);
  }
  await page.screenshot({ path: `${out}/${label}-ticket.png`, fullPage: true });
  await page.goto(`${BASE_URL}/ports/SYS/check-in`);
  await page.fill('input[name=q]', 'SYS-241');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  await page.screenshot({ path: `${out}/${label}-check-in.png`, fullPage: true });
  await page.goto(`${BASE_URL}/ports/SYS/counters/2`);
  await page.screenshot({ path: `${out}/${label}-counter.png`, fullPage: true });
  await page.click('button:has-text("Call next")');
  await page.waitForLoadState('load');
  await page.screenshot({ path: `${out}/${label}-counter-called.png`, fullPage: true });
  const sup = await signIn(browser, 'sergio');
  await sup.setViewportSize({ width: 1280, height: 1024 });
  await sup.goto(`${BASE_URL}/ports/SYS/policy`);
  await sup.screenshot({ path: `${out}/${label}-policy.png`, fullPage: true });
} finally {
  await browser.close();
}
