// The status page's Listen button, in Chromium: the phone's speech synthesis is stubbed in the
// page (no audio, no network), and the test reads what the page asked it to say.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, assertAccessible, BASE_URL } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function walkIn(language) {
  const response = await fetch(`${BASE_URL}/api/v1/ports/SYS/walk-ins`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${process.env.PQ_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ party_size: 1, language, barriers: ['literacy'] }),
  });
  assert.equal(response.status, 201);
  return response.json();
}

/** A phone with these voices: `speak` and `getVoices` record and answer in the page. */
async function phoneWith(voices, options = {}) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, bypassCSP: true, ...options });
  await context.addInitScript((list) => {
    window.__spoken = [];
    const synth = {
      getVoices: () => list,
      speak: (u) => window.__spoken.push({ lang: u.lang, text: u.text, voice: u.voice && u.voice.name }),
      cancel() {},
      addEventListener() {},
    };
    Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
    window.SpeechSynthesisUtterance = function (text) { this.text = text; };
  }, voices);
  return context.newPage();
}

const WORDS = {
  en: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
  es: ['cero', 'uno', 'dos', 'tres', 'cuatro', 'cinco', 'seis', 'siete', 'ocho', 'nueve'],
};
/** "W-0042" as a person says it: "W, zero, zero, four, two". */
function spelled(ticket, lang) {
  return ticket.replace(/[^A-Za-z0-9]/g, '').split('')
    .map((c) => (/\d/.test(c) ? WORDS[lang][Number(c)] : c)).join(', ');
}

const ENGLISH = { lang: 'en-US', localService: true, name: 'English' };
const SPANISH = { lang: 'es-MX', localService: true, name: 'Spanish' };

test('Listen reads an English ticket in English, the number digit by digit', async () => {
  const ticket = await walkIn('eng');
  const page = await phoneWith([SPANISH, ENGLISH]);
  await page.goto(ticket.status_url);
  assert.ok(await page.isVisible('#listen-button'), 'the button is shown where the phone can speak');
  assert.match(await page.textContent('#listen-button'), /Listen/);
  await page.click('#listen-button');
  const spoken = await page.evaluate(() => window.__spoken);
  assert.equal(spoken.length, 1, JSON.stringify(spoken));
  assert.equal(spoken[0].lang, 'en');
  assert.equal(spoken[0].voice, 'English');
  const text = spoken[0].text;
  assert.ok(text.startsWith(`Your ticket ${spelled(ticket.ticket, 'en')}. Status: Waiting. People before you: `), text);
  assert.ok(text.includes('Estimated call time'), text);
  assert.ok(text.endsWith('Wait here. Stay in this area. Watch the screen for your number.'), text);
  await assertAccessible(page, 'status page with the Listen button');
});

test('Listen reads a Spanish ticket in Spanish, and the language switch changes what it says', async () => {
  const ticket = await walkIn('spa');
  const page = await phoneWith([ENGLISH, SPANISH]);
  await page.goto(ticket.status_url);
  assert.match(await page.textContent('#listen-button'), /Escuchar/);
  await page.click('#listen-button');
  let spoken = await page.evaluate(() => window.__spoken);
  assert.equal(spoken[0].lang, 'es');
  assert.ok(spoken[0].text.startsWith(`Su número ${spelled(ticket.ticket, 'es')}. Estado: En espera.`), spoken[0].text);
  assert.ok(spoken[0].text.includes('Espere aquí.'), spoken[0].text);
  // The page's language switch: the same ticket in English.
  await page.goto(`${ticket.status_url}?lang=eng`);
  await page.click('#listen-button');
  spoken = await page.evaluate(() => window.__spoken);
  assert.equal(spoken[0].lang, 'en');
  assert.ok(spoken[0].text.startsWith(`Your ticket ${spelled(ticket.ticket, 'en')}.`), spoken[0].text);
});

test('with no voice for the page language, Listen says so and offers Spanish or English', async () => {
  const ticket = await walkIn('arb');
  const page = await phoneWith([ENGLISH, SPANISH]);
  await page.goto(ticket.status_url);
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  await page.click('#listen-button');
  assert.deepEqual(await page.evaluate(() => window.__spoken), [], 'nothing garbled in a wrong voice');
  // Fluent isolates the language name inside the right-to-left sentence (U+2068, U+2069).
  const message = (await page.textContent('#listen-message')).replace(/[\u2068\u2069]/g, '');
  assert.ok(message.includes('لا يوجد في هذا الهاتف صوت للغة العربية'), message);
  const offered = await page.$$eval('#listen-choices button', (bs) => bs.map((b) => [b.lang, b.textContent]));
  assert.deepEqual(offered, [['es', 'Español'], ['en', 'English']]);
  await page.click('#listen-choices button[lang=es]');
  const spoken = await page.evaluate(() => window.__spoken);
  assert.equal(spoken[0].lang, 'es');
  assert.ok(spoken[0].text.startsWith(`Su número ${spelled(ticket.ticket, 'es')}.`), spoken[0].text);
  await assertAccessible(page, 'status page in Arabic with the no-voice offer');
});

test('a phone with no voice at all is told so; without JavaScript the button is hidden', async () => {
  const ticket = await walkIn('eng');
  const mute = await phoneWith([]);
  await mute.goto(ticket.status_url);
  await mute.click('#listen-button');
  await mute.waitForFunction(() => !document.getElementById('listen-message').hidden);
  assert.match(await mute.textContent('#listen-message'), /cannot read this page aloud/);
  const plain = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await plain.goto(ticket.status_url);
  assert.equal(await plain.isVisible('#listen-button'), false);
  assert.ok((await plain.textContent('main')).includes(ticket.ticket), 'the page still shows the ticket');
});
