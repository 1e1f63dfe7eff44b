// The status page's "Listen" button: the phone's own speech synthesis reads the page (ticket
// number digit by digit, status, people ahead, the window, what to do) in the page's language.
// Nothing is fetched: the texts are in the page, the voices are the phone's. Without this
// script, or without speech synthesis, the button stays hidden.
(function () {
  "use strict";
  var box = document.getElementById("listen");
  if (!box || !("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") return;
  var synth = window.speechSynthesis;
  var button = document.getElementById("listen-button");
  var label = document.getElementById("listen-label");
  var message = document.getElementById("listen-message");
  var choices = document.getElementById("listen-choices");
  var texts = Array.prototype.slice.call(box.querySelectorAll("[data-speech]"));
  var pageTag = box.getAttribute("data-lang");
  var speaking = false;

  // The phone's offline voice for a BCP 47 tag, matched by its primary language.
  function voiceFor(tag) {
    var primary = tag.toLowerCase().split("-")[0];
    return synth.getVoices().filter(function (v) {
      return v.localService !== false && v.lang && v.lang.toLowerCase().split(/[-_]/)[0] === primary;
    })[0] || null;
  }

  function textFor(tag) {
    return texts.filter(function (t) { return t.getAttribute("lang") === tag; })[0] || null;
  }

  function setSpeaking(on) {
    speaking = on;
    button.setAttribute("aria-pressed", on ? "true" : "false");
    label.textContent = on ? box.getAttribute("data-stop") : box.getAttribute("data-listen");
  }

  function say(tag, voice) {
    var el = textFor(tag);
    if (!el) return;
    synth.cancel();
    var u = new SpeechSynthesisUtterance(el.getAttribute("data-speech"));
    u.lang = tag;
    u.voice = voice;
    u.onend = u.onerror = function () { setSpeaking(false); };
    setSpeaking(true);
    synth.speak(u);
  }

  // No voice for the page's language: say so, and offer Spanish or English where the phone
  // has a voice for them.
  function offerOthers() {
    choices.textContent = "";
    var offered = texts.filter(function (t) {
      var tag = t.getAttribute("lang");
      return tag !== pageTag && (tag === "es" || tag === "en") && voiceFor(tag);
    });
    message.textContent = offered.length ? box.getAttribute("data-no-voice") : box.getAttribute("data-unavailable");
    message.hidden = false;
    offered.forEach(function (t) {
      var tag = t.getAttribute("lang");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "listen-choice";
      b.lang = tag;
      b.textContent = t.getAttribute("data-name");
      b.addEventListener("click", function () { say(tag, voiceFor(tag)); });
      choices.appendChild(b);
    });
    choices.hidden = offered.length === 0;
  }

  function listen() {
    if (speaking) {
      synth.cancel();
      setSpeaking(false);
      return;
    }
    var voice = voiceFor(pageTag);
    if (voice) {
      message.hidden = true;
      choices.hidden = true;
      say(pageTag, voice);
    } else {
      offerOthers();
    }
  }

  button.addEventListener("click", function () {
    // Some phones list their voices only after a first ask: wait for them briefly.
    if (synth.getVoices().length === 0) {
      var done = false;
      var go = function () { if (!done) { done = true; listen(); } };
      synth.addEventListener("voiceschanged", go, { once: true });
      setTimeout(go, 700);
    } else {
      listen();
    }
  });
  box.hidden = false;
})();
