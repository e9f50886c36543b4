/* The app shell (templates/portal/app_base.html): read-aloud, spoken confirmations in elder
   mode, the service worker, and forgetting the kept pages on signing out. No inline script
   (Content-Security-Policy); everything works without this file, it only adds. */
(function () {
  "use strict";
  var body = document.body;
  var elderMode = body.classList.contains("elder-mode");
  var canSpeak = "speechSynthesis" in window && "SpeechSynthesisUtterance" in window;
  var PAGES = "kangyang-pages";  // the service worker's cache of pages seen (templates/portal/sw.js)

  function language() {
    var lang = (document.documentElement.lang || "zh-hans").toLowerCase();
    return lang.indexOf("zh") === 0 ? "zh-CN" : "en-US";
  }

  function voiceFor(lang) {
    var voices = window.speechSynthesis.getVoices() || [];
    var prefix = lang.slice(0, 2);
    var exact = voices.filter(function (v) { return v.lang.replace("_", "-") === lang; });
    if (exact.length) return exact[0];
    var near = voices.filter(function (v) { return v.lang.toLowerCase().indexOf(prefix) === 0; });
    return near.length ? near[0] : null;
  }

  // Long texts in pieces: some browsers stop a single long utterance after about 15 seconds.
  function pieces(text) {
    return text.replace(/([。！？!?；;])/g, "$1\n").split(/\n+/).map(function (s) { return s.trim(); })
      .filter(function (s) { return s.length > 0; });
  }

  function speak(text, onDone) {
    if (!canSpeak || !text) return;
    var synth = window.speechSynthesis;
    synth.cancel();
    var lang = language();
    var voice = voiceFor(lang);
    var rate = parseFloat(body.getAttribute("data-speech-rate")) || 0.9;
    var parts = pieces(text);
    parts.forEach(function (part, i) {
      var u = new SpeechSynthesisUtterance(part);
      u.lang = lang;
      if (voice) u.voice = voice;
      u.rate = rate;
      if (onDone && i === parts.length - 1) {
        u.onend = onDone;
        u.onerror = onDone;
      }
      synth.speak(u);
    });
  }
  window.kangyangSpeak = speak;  // for the other parts of the app (SOS, orders)

  // "Read aloud": the page's main content, read by the browser in a Chinese voice.
  var readButton = document.querySelector(".read-aloud");
  if (readButton && canSpeak) {
    var startLabel = readButton.textContent;
    var stopLabel = readButton.getAttribute("data-stop-label") || startLabel;
    var reset = function () { readButton.textContent = startLabel; readButton.removeAttribute("aria-pressed"); };
    readButton.hidden = false;
    readButton.addEventListener("click", function () {
      if (window.speechSynthesis.speaking) {
        window.speechSynthesis.cancel();
        reset();
        return;
      }
      var main = document.getElementById("main");
      readButton.textContent = stopLabel;
      readButton.setAttribute("aria-pressed", "true");
      speak(main ? main.innerText : "", reset);
    });
  }

  if (elderMode && canSpeak) {
    // Spoken confirmations: what the last action did (django.contrib.messages).
    var said = Array.prototype.map.call(document.querySelectorAll(".messages li"), function (li) {
      return li.textContent.trim();
    }).join("\n");
    if (said) speak(said);
    // Buttons and links that say what they do when pressed.
    document.addEventListener("click", function (event) {
      var el = event.target.closest ? event.target.closest("[data-say]") : null;
      if (el) speak(el.getAttribute("data-say"));
    });
  }

  // The service worker (/app/sw.js): the app installs, and works offline for what it has seen.
  if ("serviceWorker" in navigator && body.getAttribute("data-sw")) {
    navigator.serviceWorker.register(body.getAttribute("data-sw"), { scope: body.getAttribute("data-scope") })
      .catch(function () { /* no worker: the app works online as before */ });
  }

  // Signing out empties the kept pages (they hold this person's data) before the form is sent.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-sign-out]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (!("caches" in window)) return;
      event.preventDefault();
      var sent = false;
      var send = function () { if (!sent) { sent = true; form.submit(); } };
      var controller = navigator.serviceWorker && navigator.serviceWorker.controller;
      if (controller) controller.postMessage({ type: "sign-out" });
      caches.delete(PAGES).then(send, send);
      setTimeout(send, 1500);
    });
  });
})();
