// The ticket page (templates/ticket.html): progressive enhancement only. Without this file the
// officer prints with the browser's menu and then presses "mark as printed".
(function () {
  "use strict";

  var MM_PER_PX = 25.4 / 96;
  var fitted = null;

  // Chromium needs a fixed page size (`size: 80mm auto` is ignored), so ticket.css gives a
  // tall one; here it becomes the ticket's own height, so one ticket is one short page and the
  // roll is not fed blank. The preview has the paper's exact width and units, so its height
  // on screen is its height on paper.
  function fitPage() {
    var paper = document.getElementById("ticket-paper");
    if (!paper) return;
    var sheet = Array.prototype.filter.call(document.styleSheets, function (s) {
      return s.href && s.href.indexOf("/static/ticket.css") !== -1;
    })[0];
    if (!sheet) return;
    var width = paper.dataset.paper === "58" ? 58 : 80;
    var height = Math.ceil(paper.getBoundingClientRect().height * MM_PER_PX) + 2;
    var selector = width === 58 ? "@page narrow" : "@page";
    try {
      if (fitted !== null) sheet.deleteRule(fitted);
      fitted = sheet.insertRule(
        selector + " { size: " + width + "mm " + height + "mm; margin: 0; }",
        sheet.cssRules.length);
    } catch (e) {
      fitted = null; // the fixed size from ticket.css stays: a longer page, still one ticket
    }
  }

  // "Print from this browser": the print dialog first, then the officer says whether the
  // ticket came out; only then is it recorded (no ghost tickets).
  function printThenRecord() {
    var forms = document.querySelectorAll("form[data-print-first]");
    Array.prototype.forEach.call(forms, function (form) {
      var button = form.querySelector("button[data-js-label]");
      if (button) button.textContent = button.dataset.jsLabel;
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        fitPage();
        window.print();
        if (window.confirm(form.dataset.printedQuestion)) form.submit();
      });
    });
  }

  // The network printer may take up to 3 seconds to fail: say that something is happening
  // and stop a second press from sending a second ticket.
  function busyButtons() {
    var forms = document.querySelectorAll("form[data-busy-label]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function () {
        var button = form.querySelector("button[type=submit]");
        if (!button) return;
        window.setTimeout(function () {
          button.disabled = true;
          button.textContent = form.dataset.busyLabel;
        }, 0);
      });
    });
  }

  function start() {
    fitPage();
    printThenRecord();
    busyButtons();
    window.addEventListener("beforeprint", fitPage);
    window.addEventListener("load", fitPage);
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(fitPage);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
