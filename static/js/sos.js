// SOS on the elder's phone (issue 14): press and hold the button for about two seconds, with a
// progress bar and words, and the call for help is sent; a short press opens the confirm page
// (its one button sends it). Offline, or when the server cannot be reached, the page shows and
// dials the hotline instead. No dialogs; the same key (msg_id) for every retry of this page, so
// the server keeps one alarm.
(function () {
  "use strict";
  var HOLD_MS = 2000;

  function words(el, text) {
    if (el) { el.textContent = text; }
  }

  function msgId(form) {
    var input = form.querySelector("input[name=msg_id]");
    if (!input.value) {
      input.value = "app-" + (window.crypto && crypto.randomUUID ? crypto.randomUUID()
        : Date.now().toString(36) + Math.random().toString(36).slice(2));
    }
    return input.value;
  }

  function locate(form, done) {
    // The phone's location when it is quick to give; never a reason to wait long.
    var finished = false;
    function finish() { if (!finished) { finished = true; done(); } }
    if (!navigator.geolocation) { finish(); return; }
    setTimeout(finish, 3000);
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("input[name=lat]").value = pos.coords.latitude.toFixed(6);
      form.querySelector("input[name=lng]").value = pos.coords.longitude.toFixed(6);
      finish();
    }, finish, {enableHighAccuracy: true, timeout: 2500, maximumAge: 60000});
  }

  function setUp(root) {
    var form = root.querySelector("[data-sos-form]");
    if (!form) { return; }
    var holdButton = root.querySelector("[data-sos-hold]");
    var submitForm = form.hasAttribute("data-sos-submit") ? form : null;
    var progress = root.querySelector(".sos-progress");
    var said = root.querySelector(".sos-words");
    var offline = root.querySelector("[data-sos-offline]");
    var text = {
      hold: root.dataset.sayHold, sending: root.dataset.saySending, sent: root.dataset.saySent,
      released: root.dataset.sayReleased
    };
    var sending = false;
    msgId(form);

    function speak(s) {
      words(said, s);
      if (window.speechSynthesis && document.body.classList.contains("elder-mode") && window.SpeechSynthesisUtterance) {
        var u = new SpeechSynthesisUtterance(s);
        u.lang = "zh-CN";
        window.speechSynthesis.cancel();
        window.speechSynthesis.speak(u);
      }
    }

    function showOffline() {
      sending = false;
      if (offline) { offline.hidden = false; }
      speak(root.dataset.sayOffline);
      var tel = offline && offline.querySelector("[data-sos-tel]");
      if (tel) { tel.focus(); window.location.href = tel.getAttribute("href"); }
    }

    function send() {
      if (sending) { return; }
      sending = true;
      speak(text.sending);
      if (!navigator.onLine) { showOffline(); return; }
      locate(form, function () {
        fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                            headers: {"X-Requested-With": "fetch"}})
          .then(function (r) {
            if (!r.ok) { throw new Error(String(r.status)); }
            speak(text.sent);
            window.location.href = r.url;
          })
          .catch(showOffline);
      });
    }

    if (submitForm) {
      submitForm.addEventListener("submit", function (e) { e.preventDefault(); send(); });
    }
    if (!holdButton) { return; }
    var started = 0, timer = null, fired = false, frame = null;

    function tick() {
      var done = Math.min(100, (Date.now() - started) / HOLD_MS * 100);
      if (progress) { progress.value = done; }
      var left = Math.max(0, Math.ceil((HOLD_MS - (Date.now() - started)) / 1000));
      if (!fired) { words(said, text.hold.replace("{seconds}", String(left))); }
      if (done < 100 && started) { frame = window.requestAnimationFrame(tick); }
    }

    function start(e) {
      if (sending || started) { return; }
      if (e.type === "keydown" && e.key !== " " && e.key !== "Enter") { return; }
      if (e.type === "keydown") { e.preventDefault(); }
      started = Date.now();
      fired = false;
      holdButton.classList.add("holding");
      if (progress) { progress.hidden = false; progress.value = 0; }
      tick();
      timer = setTimeout(function () { fired = true; stop(); send(); }, HOLD_MS);
    }

    function stop(e) {
      if (!started) { return; }
      var held = Date.now() - started;
      started = 0;
      clearTimeout(timer);
      if (frame) { window.cancelAnimationFrame(frame); }
      holdButton.classList.remove("holding");
      if (!fired) {
        if (progress) { progress.value = 0; progress.hidden = true; }
        if (e && e.type === "keyup" && held < 400) { window.location.href = holdButton.href; return; }
        if (held >= 400) { words(said, text.released); }
      }
    }

    holdButton.addEventListener("pointerdown", start);
    holdButton.addEventListener("keydown", start);
    ["pointerup", "pointerleave", "pointercancel", "keyup"].forEach(function (k) {
      holdButton.addEventListener(k, stop);
    });
    holdButton.addEventListener("contextmenu", function (e) { e.preventDefault(); });
    // A short tap follows the link to the confirm page (one more press); a hold sends at once.
    holdButton.addEventListener("click", function (e) {
      if (fired || sending) { e.preventDefault(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-sos]").forEach(setUp);
  });
})();
