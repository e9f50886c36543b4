/* The visitor's board in the app (/app/visits/): care-visit records kept on the phone until
 * the server has them.
 *
 * A record form (form[data-visit-form]) is not sent straight away. Pressing "save" records the
 * moment, asks the phone for its location when the visit is a home visit (WGS-84, refused or
 * too slow → sent without; the server flags "no location" and keeps the record), and puts
 * the record in localStorage ("kangyang:visits:<user id>") before anything goes over the
 * network. The queue is then sent, oldest first; a record leaves localStorage only once the
 * server has answered it. Without a connection it waits, and goes when the browser is back
 * online (and every few seconds). Each record keeps the `client_id` the form had, so a record
 * sent twice (the answer lost on the way back) is kept once by the server; the form gets a new
 * id for the next record. `age_seconds` says how long ago it was saved, by the phone's clock.
 *
 * The sync state (#sync-state) says in words how many records wait on this phone ("3 records
 * waiting to be sent"), "Sending…" or "All sent", and when the server last took one. The
 * server answers with the board (asked as htmx asks), which replaces #visit-board. Without
 * JavaScript the form is a plain POST. Before each send a fresh board is fetched for its CSRF
 * token (a page kept for hours may hold a stale one); when the session has ended, the records
 * stay on the phone until she signs in again.
 */
(function () {
  "use strict";

  var root = document.getElementById("visit-board");
  if (!root) return;
  var key = "kangyang:visits:" + (root.dataset.user || "");
  var sentKey = "kangyang:visits-sent:" + (root.dataset.user || "");
  var status = document.getElementById("visit-queue");
  var sync = document.getElementById("sync-state");
  var sending = false;
  var retryTimer = null;
  var GEO_WAIT_MS = 8000;
  var RETRY_MS = 5000;

  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "[]") || []; } catch (e) { return []; }
  }
  function store(list) {
    try {
      if (list.length) localStorage.setItem(key, JSON.stringify(list));
      else localStorage.removeItem(key);
    } catch (e) { /* storage full or disabled: the record is still being sent */ }
  }
  function say(text, state) {
    if (!status) return;
    status.hidden = !text;
    if (status.textContent !== (text || "")) status.textContent = text || "";
    status.dataset.state = state || "";
  }
  function lastSent() {
    try { return parseInt(localStorage.getItem(sentKey) || "", 10) || null; } catch (e) { return null; }
  }
  function markSent() {
    try { localStorage.setItem(sentKey, String(Date.now())); } catch (e) { /* storage full or disabled */ }
  }
  function when(ms) {
    var d = new Date(ms);
    var lang = document.documentElement.lang || undefined;
    var time = d.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
    if (d.toDateString() === new Date().toDateString()) return time;
    return d.toLocaleDateString(lang, { month: "numeric", day: "numeric" }) + " " + time;
  }
  function showSync() {
    if (!sync) return;
    var n = load().length;
    var state = sending ? "sending" : (n ? "waiting" : "sent");
    var text = sync.dataset;
    var word = state === "sending" ? text.textSending
      : (state === "waiting" ? (n === 1 ? text.textWaitingOne : text.textWaitingOther).replace("{n}", String(n))
        : text.textSent);
    var last = lastSent();
    function put(selector, value) {
      var el = sync.querySelector(selector);
      if (el && el.textContent !== value) el.textContent = value;
    }
    if (sync.dataset.state !== state) sync.dataset.state = state;
    sync.dataset.count = String(n);
    put("[data-sync-word]", word);
    put("[data-sync-last]", last ? text.textLast.replace("{time}", when(last)) : text.textNever);
    sync.hidden = false;
  }
  function csrf() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  // The phone's location, or null: a fresh fix first, else one from the last two minutes.
  function locate(done) {
    if (!navigator.geolocation) { done(null); return; }
    var settled = false;
    var timer = setTimeout(function () { finish(null); }, GEO_WAIT_MS + 3000);
    function finish(coords) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done(coords);
    }
    navigator.geolocation.getCurrentPosition(
      function (p) { finish(p.coords); },
      function (error) {
        if (error && error.code === 1) { finish(null); return; }  // refused: ask no more
        navigator.geolocation.getCurrentPosition(
          function (p) { finish(p.coords); }, function () { finish(null); },
          { enableHighAccuracy: false, timeout: 2000, maximumAge: 120000 });
      },
      { enableHighAccuracy: true, timeout: GEO_WAIT_MS, maximumAge: 0 }
    );
  }

  function swap(html) {
    root.innerHTML = html;
    if (window.htmx) window.htmx.process(root);
  }
  function refresh() {
    fetch(root.dataset.boardUrl, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html) swap(html); })
      .catch(function () { /* offline: the board stays as it is */ });
  }
  function retryLater() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, RETRY_MS);
  }

  // A CSRF token good now: the page may have been kept for hours and the person signed in again
  // since, which makes its own token stale. Read off a fresh board (not shown: the person may be
  // typing in a form); null when the session has ended (the board sent to the sign-in page).
  function freshToken() {
    return fetch(root.dataset.boardUrl, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) {
        if (r.redirected || !r.ok) return null;
        return r.text().then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var field = doc.querySelector("input[name=csrfmiddlewaretoken]");
          return field ? field.value : csrf();
        });
      });
  }

  // Send the oldest waiting record; on an answer, drop it and go on with the next.
  function flush() {
    if (sending) return;
    var queue = load();
    if (!queue.length) { showSync(); return; }
    if (navigator.onLine === false) { showSync(); retryLater(); return; }
    var item = queue[0];
    sending = true;
    say(root.dataset.textSending, "sending");
    showSync();
    freshToken().then(function (token) {
      if (token === null) {
        // Signed out meanwhile: the record stays on the phone until she signs in again.
        sending = false;
        say(root.dataset.textSignIn, "sign-in");
        showSync();
        retryLater();
        return null;
      }
      var body = new URLSearchParams(item.fields);
      body.set("csrfmiddlewaretoken", token);
      body.set("age_seconds", String(Math.max(0, (Date.now() - item.made) / 1000)));
      return fetch(item.url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "HX-Request": "true", "X-CSRFToken": token },
      }).then(function (r) {
        if (r.status >= 500) throw new Error("server error " + r.status);
        return r.text().then(function (html) { return { ok: r.ok, status: r.status, html: html }; });
      }).then(function (answer) {
        store(load().filter(function (c) { return c.id !== item.id; }));
        sending = false;
        markSent();  // the server took it (a refusal too is an answer: the record left the phone)
        if (answer.ok) { swap(answer.html); say("", ""); }
        else if (answer.status === 422) { swap(answer.html); say(root.dataset.textRefused, "refused"); }
        else { say(root.dataset.textRefused, "refused"); refresh(); }
        if (load().length) flush(); else showSync();
      });
    }).catch(function () {
      sending = false;
      say(root.dataset.textQueued, "queued");
      showSync();
      retryLater();
    });
  }

  function queueRecord(form, made, coords) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.disabled) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      fields[el.name] = el.value;
    });
    if (coords) {
      fields.lat = String(coords.latitude);
      fields.lng = String(coords.longitude);
      fields.accuracy = coords.accuracy == null ? "" : String(coords.accuracy);
      fields.system = "wgs84";  // the W3C Geolocation API gives WGS-84
    }
    var queue = load();
    queue.push({ id: fields.client_id || newId(), url: form.action, fields: fields, made: made });
    store(queue);
    // The next record from this form is another record.
    if (form.elements.client_id) form.elements.client_id.value = newId();
    form.reset();
    if (navigator.onLine === false) say(root.dataset.textQueued, "queued");
    showSync();
  }

  root.addEventListener("submit", function (e) {
    var form = e.target.closest("form[data-visit-form]");
    if (!form) return;
    e.preventDefault();
    var made = Date.now();  // the time the record was saved, whatever happens next
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    var mode = form.querySelector("input[name=mode]:checked");
    function go(coords) {
      queueRecord(form, made, coords);
      if (button) button.disabled = false;
      flush();
    }
    if (mode && mode.value === "home") {
      say(root.dataset.textLocating, "locating");
      locate(go);
    } else {
      go(null);
    }
  });

  window.addEventListener("online", flush);
  window.addEventListener("offline", showSync);
  window.addEventListener("storage", function (e) { if (e.key === key || e.key === sentKey) showSync(); });
  window.addEventListener("pageshow", flush);
  flush();
})();
