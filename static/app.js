// portqueue kiosk: progressive enhancement only. Every page works without this file.
(function () {
  "use strict";

  // The live queue: fetch the same page's table every 10 s and swap it in, unless the
  // officer is working inside it. Without JS a <noscript> meta refresh reloads every 20 s.
  function liveQueue() {
    var live = document.getElementById("live");
    if (!live || !live.dataset.refresh) return;
    var url = live.dataset.refresh;
    var busy = false;
    function refresh() {
      if (busy || document.hidden) return;
      if (live.contains(document.activeElement) && document.activeElement !== live) return;
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (res) {
          if (res.redirected || !res.ok) {
            // Signed out or the port went away: a full load shows why.
            window.location.reload();
            return null;
          }
          return res.text();
        })
        .then(function (html) {
          if (html === null || html.indexOf('data-fragment="queue"') === -1) return;
          if (live.innerHTML.trim() === html.trim()) return;
          var x = window.scrollX, y = window.scrollY;
          live.innerHTML = html;
          window.scrollTo(x, y);
        })
        .catch(function () { /* offline for a moment: try again next time */ })
        .then(function () { busy = false; });
    }
    window.setInterval(refresh, 10000);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
  }

  // Accents, apostrophes and case do not matter when matching names: "kreyol" finds
  // "Kreyòl", "kiche" finds "K'iche'".
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/['\u2018\u2019\u02bc`]/g, "").replace(/[^\p{L}\p{N}|]+/gu, " ").trim();
  }

  // A filter box above the language list: typing narrows the options, matching the start of
  // a word of the English or native name, another common spelling or the code ("dari" finds
  // Dari, not "man*dari*n"). The value sent is always one of the listed codes, and only one
  // the officer can see selected: with no match, nothing is selected and the box says so.
  function languageFilter() {
    var selects = document.querySelectorAll("select[data-filterable]");
    Array.prototype.forEach.call(selects, function (select) {
      var input = document.createElement("input");
      input.type = "search";
      input.id = select.id + "-filter";
      input.className = "lang-filter";
      input.autocomplete = "off";
      input.spellcheck = false;
      input.setAttribute("aria-controls", select.id);
      input.setAttribute("aria-label", "Filter languages: type part of a name or code");
      input.placeholder = "Type to filter: e.g. kreyol, mam, arabic";
      var status = document.createElement("p");
      status.id = select.id + "-match";
      status.className = "lang-match";
      status.setAttribute("role", "status");
      input.setAttribute("aria-describedby", status.id);
      select.parentNode.insertBefore(input, select);
      select.parentNode.insertBefore(status, select.nextSibling);
      select.size = 8;
      var placeholder = select.options[0];
      var options = Array.prototype.slice.call(select.options, 1);
      var names = options.map(function (o) {
        return " " + fold(o.dataset.search || o.text).split("|").join(" | ") + " ";
      });
      function matches(i, q) {
        return names[i].indexOf(" " + q) !== -1;
      }
      function say() {
        var current = select.options[select.selectedIndex];
        var q = fold(input.value);
        if (q && options.every(function (o) { return o.hidden; })) {
          status.textContent = "No language matches \u201c" + input.value.trim() + "\u201d: try another spelling or the code.";
          status.classList.add("lang-none");
        } else {
          status.classList.remove("lang-none");
          status.textContent = current && current.value ? "Selected: " + current.text : "No language selected yet.";
        }
      }
      function apply() {
        var q = fold(input.value);
        var first = null;
        options.forEach(function (o, i) {
          var show = !q || matches(i, q);
          o.hidden = !show;
          o.disabled = !show;
          if (show && !first) first = o;
        });
        var current = select.options[select.selectedIndex];
        if (q) {
          // Never keep a choice the list no longer shows.
          if (!current || current.hidden || current.value === "") {
            if (first) first.selected = true;
            else placeholder.selected = true;
          }
        }
        say();
      }
      input.addEventListener("input", apply);
      select.addEventListener("change", say);
      input.addEventListener("keydown", function (e) {
        if (e.key === "ArrowDown") { e.preventDefault(); select.focus(); }
        if (e.key === "Enter") {
          // Enter takes the highlighted language and moves on, rather than sending a
          // half-filled form; with no match it stays here.
          e.preventDefault();
          apply();
          if (!select.value) return;
          var next = document.getElementById("f-barriers");
          (next || select).focus();
        }
      });
      if (select.form) {
        select.form.addEventListener("submit", function () {
          var current = select.options[select.selectedIndex];
          if (current && current.hidden) placeholder.selected = true;
        });
      }
      say();
      if (select.hasAttribute("autofocus")) {
        select.removeAttribute("autofocus");
        input.focus();
      }
    });
  }

  // Ticking a vulnerability while no tier is chosen means priority (as the server reads it);
  // show that choice instead of leaving it implicit.
  function tierFollowsVulnerability() {
    document.addEventListener("change", function (e) {
      var box = e.target;
      if (!box || box.name !== "vulnerabilities" || !box.checked || !box.form) return;
      var tiers = box.form.querySelectorAll('input[name="tier"]');
      var chosen = Array.prototype.some.call(tiers, function (t) { return t.checked; });
      if (chosen) return;
      Array.prototype.forEach.call(tiers, function (t) { if (t.value === "priority") t.checked = true; });
    });
  }

  function printButtons() {
    var buttons = document.querySelectorAll("[data-print]");
    Array.prototype.forEach.call(buttons, function (b, i) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
      if (i === 0 && !document.querySelector("[autofocus], [data-autofocus]")) b.focus();
    });
  }

  function confirmations() {
    document.addEventListener("submit", function (e) {
      var form = e.target;
      if (form && form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
        e.preventDefault();
      }
    });
  }

  // Forms marked data-settle (the counter's right after an action, the ticket page's print
  // buttons) wait a moment after the page loads before they answer: an Enter pressed twice in
  // a hurry on the page before lands on this page's focused button, and must not act on the
  // next person or open the print dialog. A deliberate press a moment later works, and so do
  // the forms without JavaScript. The check comes first (capture), so no other script's
  // submit handler runs for a press it drops.
  var SETTLE_MS = 800;
  function settleForms() {
    var settling = document.querySelectorAll("form[data-settle]");
    if (!settling.length) return;
    var loaded = Date.now();
    Array.prototype.forEach.call(settling, function (f) { f.classList.add("settling"); });
    window.setTimeout(function () {
      Array.prototype.forEach.call(settling, function (f) { f.classList.remove("settling"); });
    }, SETTLE_MS);
    document.addEventListener("submit", function (e) {
      var form = e.target;
      if (form && form.hasAttribute && form.hasAttribute("data-settle") && Date.now() - loaded < SETTLE_MS) {
        e.preventDefault();
        e.stopImmediatePropagation();
      }
    }, true);
    // Back from the browser's cache, the page settles again.
    window.addEventListener("pageshow", function (e) { if (e.persisted) loaded = Date.now(); });
  }

  // Counter forms act once: after one is sent, the page's other counter forms (and the same
  // one again) do nothing. The server refuses a second post of the same form too.
  function onceForms() {
    var forms = document.querySelectorAll("form[data-once]");
    if (!forms.length) return;
    var sent = false;
    document.addEventListener("submit", function (e) {
      var form = e.target;
      if (e.defaultPrevented || !form || !form.hasAttribute || !form.hasAttribute("data-once")) return;
      if (sent) {
        e.preventDefault();
        return;
      }
      sent = true;
      Array.prototype.forEach.call(forms, function (f) { f.setAttribute("aria-busy", "true"); });
    });
    // Back from the browser's cache, the page may act again.
    window.addEventListener("pageshow", function (e) { if (e.persisted) sent = false; });
  }

  // On a page with forms that settle or act once, a held-down Enter does not repeat.
  function noRepeatedEnter() {
    if (!document.querySelector("form[data-settle], form[data-once]")) return;
    document.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && e.repeat) e.preventDefault();
    }, true);
  }

  // Chromium applies `autofocus` at a later rendering step, not at once: give the focus now,
  // so the first key pressed on a fresh page always goes where the page says. A button that
  // must not act on an Enter pressed before the scripts run (the ticket page's print buttons,
  // guarded by data-settle) says `data-autofocus` instead and gets the focus only here.
  function autofocusNow() {
    var active = document.activeElement;
    if (active && active !== document.body) return;
    var target = document.querySelector("[autofocus]") || document.querySelector("[data-autofocus]");
    if (target) target.focus();
  }

  function backLinks() {
    var links = document.querySelectorAll("[data-back]");
    Array.prototype.forEach.call(links, function (a) {
      if (window.history.length < 2) return;
      a.hidden = false;
      a.href = "#";
      a.addEventListener("click", function (e) { e.preventDefault(); window.history.back(); });
    });
  }

  // After a refused form, the summary takes focus so a screen reader reads it first.
  function focusSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  function start() {
    liveQueue();
    languageFilter();
    tierFollowsVulnerability();
    printButtons();
    confirmations();
    noRepeatedEnter();
    settleForms();
    onceForms();
    backLinks();
    focusSummary();
    autofocusNow();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
