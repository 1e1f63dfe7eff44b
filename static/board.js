// The "now serving" board (templates/board.html). Without this file the page reloads itself
// every 5 s (<noscript> refresh). With it: server-sent events push the board within about a
// second of a call; if the feed fails the board polls the JSON every 2 s until the feed is
// back; a button turns on a chime and spoken announcements (browsers allow sound only after
// a gesture). Ticket numbers and counters are all it ever shows or says.
(function () {
  "use strict";

  var POLL_MS = 2000;
  var REOPEN_MS = 10000;

  var main = document.getElementById("board");
  if (!main) return;
  var config = JSON.parse(main.dataset.config || "{}");
  var rows = document.getElementById("called-rows");
  var next = document.getElementById("next-list");
  var live = document.getElementById("board-announce");
  var status = document.getElementById("board-status");
  var soundButton = document.getElementById("board-sound");

  // "ticket|called_at|recalls" of every call on screen, to find new ones. The first board the
  // feed sends only fills it: what was already on screen when the board opened is not said.
  var seen = null;
  var revision = null;
  var soundOn = false;
  var audio = null;
  var pollTimer = null;
  var source = null;

  function callKey(c) { return c.ticket + "|" + c.called_at + "|" + c.recalls; }

  function cell(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    el.textContent = text;
    return el;
  }

  function render(board) {
    if (!board || board.revision === revision) return;
    revision = board.revision;
    var called = board.called || [];
    rows.textContent = "";
    called.forEach(function (c, i) {
      var tr = document.createElement("tr");
      if (i === 0) tr.className = "newest";
      tr.appendChild(cell("td", "ticket", c.ticket));
      tr.appendChild(cell("td", "counter", String(c.counter)));
      rows.appendChild(tr);
    });
    next.textContent = "";
    (board.next || []).forEach(function (t) { next.appendChild(cell("li", "", t)); });

    var keys = called.map(callKey);
    if (seen !== null) {
      // New calls and recalls, oldest first, so the last one said is the newest on screen.
      var fresh = called.filter(function (c) { return seen.indexOf(callKey(c)) === -1; }).reverse();
      if (fresh.length) announce(fresh);
    }
    seen = keys;
  }

  // "W-0042" is said "W 42": the letter, then the number as people say it.
  function spoken(ticket) { return ticket.replace(/-0*(\d)/, " $1"); }

  // The browser's offline voice for a BCP 47 tag (by its primary language), if it has one.
  // Network voices are left out: the board works offline, and sends nothing anywhere.
  function voiceFor(voices, tag) {
    var primary = tag.toLowerCase().split("-")[0];
    return voices.filter(function (v) {
      return v.localService !== false && v.lang && v.lang.toLowerCase().split(/[-_]/)[0] === primary;
    })[0] || null;
  }

  // The sentences to say for one call: in the called ticket's language first (when the port
  // turned that on and the feed carries its tag), then in the board's languages, each once.
  function sentencesFor(c) {
    var list = [];
    if (c.language) {
      var own = (config.by_language || []).filter(function (a) { return a.tag === c.language; })[0];
      if (own) list.push(own);
    }
    (config.announce || []).forEach(function (a) {
      if (!list.some(function (b) { return b.tag === a.tag; })) list.push(a);
    });
    return list;
  }

  function announce(calls) {
    var newest = calls[calls.length - 1];
    live.textContent = newest.ticket + " → " + newest.counter;
    // The newest row is highlighted by render(); the chime plays whatever can be said.
    if (!soundOn) return;
    chime();
    if (!("speechSynthesis" in window)) return;
    var voices = window.speechSynthesis.getVoices();
    calls.forEach(function (c) {
      sentencesFor(c).forEach(function (a) {
        var voice = voiceFor(voices, a.tag);
        // No voice for this language: better the chime and the highlight than garbled speech.
        if (!voice) return;
        var text = a.text.replace("{ticket}", spoken(c.ticket)).replace("{counter}", String(c.counter));
        var u = new SpeechSynthesisUtterance(text);
        u.lang = a.tag;
        u.voice = voice;
        window.speechSynthesis.speak(u);
      });
    });
  }

  // The words of the voices line, in the board's languages, each marked with its own: the
  // server puts them in a <template> so nothing here is in any one language.
  function labelFor(name) {
    var words = document.getElementById("board-voice-words");
    var content = words && (words.content || words);
    var label = content && content.querySelector('[data-words="' + name + '"]');
    return label ? label.cloneNode(true) : document.createTextNode("");
  }

  // Tags like "es, ar" are codes, read left to right whatever the page's direction.
  function tagList(tags) {
    var el = document.createElement("bdi");
    el.dir = "ltr";
    el.textContent = tags.join(", ") || "—";
    return el;
  }

  // Lists, under the board, which languages this screen's browser can speak (offline voices
  // included) and which get the chime and highlight only.
  function listVoices() {
    var el = document.getElementById("board-voices");
    if (!el || !("speechSynthesis" in window)) return;
    var voices = window.speechSynthesis.getVoices();
    var tags = [];
    (config.announce || []).concat(config.by_language || []).forEach(function (a) {
      if (tags.indexOf(a.tag) === -1) tags.push(a.tag);
    });
    var spoken = tags.filter(function (t) { return voiceFor(voices, t); });
    var silent = tags.filter(function (t) { return !voiceFor(voices, t); });
    el.textContent = "";
    el.appendChild(labelFor("voice"));
    el.appendChild(document.createTextNode(": "));
    el.appendChild(tagList(spoken));
    if (silent.length) {
      el.appendChild(document.createTextNode(" · "));
      el.appendChild(labelFor("no-voice"));
      el.appendChild(document.createTextNode(": "));
      el.appendChild(tagList(silent));
    }
    el.hidden = false;
  }

  // Two soft tones, made here: no audio file to ship or load.
  function chime() {
    if (!audio) return;
    var t = audio.currentTime + 0.05;
    [[880, 0], [659.25, 0.45]].forEach(function (tone) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.0001, t + tone[1]);
      gain.gain.exponentialRampToValueAtTime(0.5, t + tone[1] + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + tone[1] + 0.9);
      osc.connect(gain).connect(audio.destination);
      osc.start(t + tone[1]);
      osc.stop(t + tone[1] + 1);
    });
  }

  function toggleSound() {
    soundOn = !soundOn;
    soundButton.setAttribute("aria-pressed", String(soundOn));
    if (soundOn) {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!audio && Ctx) audio = new Ctx();
      if (audio && audio.state === "suspended") audio.resume();
      chime();
    } else if ("speechSynthesis" in window) {
      window.speechSynthesis.cancel();
    }
  }

  function poll() {
    fetch(config.json, { cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (board) { if (board) { render(board); status.textContent = ""; } })
      .catch(function () { status.textContent = "…"; });
  }

  function startPolling() {
    if (pollTimer === null) pollTimer = window.setInterval(poll, POLL_MS);
  }

  function stopPolling() {
    if (pollTimer !== null) window.clearInterval(pollTimer);
    pollTimer = null;
  }

  function openFeed() {
    if (!("EventSource" in window)) { startPolling(); return; }
    source = new EventSource(config.events);
    source.onopen = function () { stopPolling(); status.textContent = ""; };
    source.onmessage = function (e) {
      stopPolling();
      try { render(JSON.parse(e.data)); } catch (err) { /* a torn message: the next one mends it */ }
    };
    source.onerror = function () {
      // The browser reconnects by itself (after a server restart, say); meanwhile, poll.
      // If it has given up (a 404 or a proxy's error page), open a new feed later.
      startPolling();
      if (source.readyState === EventSource.CLOSED) {
        window.setTimeout(openFeed, REOPEN_MS);
      }
    };
  }

  function clock() {
    var el = document.getElementById("board-clock");
    if (!el || !window.Intl) return;
    var format;
    try {
      format = new Intl.DateTimeFormat("es", {
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: config.timezone
      });
    } catch (e) { return; }
    function tick() { el.textContent = format.format(new Date()); }
    tick();
    window.setInterval(tick, 1000);
  }

  if ("speechSynthesis" in window) {
    listVoices();
    // Voices load asynchronously in some browsers.
    window.speechSynthesis.addEventListener("voiceschanged", listVoices);
  }
  soundButton.hidden = false;
  soundButton.addEventListener("click", toggleSound);
  clock();
  openFeed();
})();
