/* The caregiver's phone page: check-in and check-out with the phone's location, and no
 * check lost when the connection drops.
 *
 * A check form (form[data-check]) is not sent straight away. Pressing it records the moment,
 * asks the phone for its location (navigator.geolocation: WGS-84, with the accuracy it
 * reports; refused or unavailable after a few seconds → sent without, the server flags the
 * visit "no location" and never blocks), and puts the check in localStorage
 * ("kangyang:checks:<user id>") before anything goes over the network. The queue is then
 * sent, oldest first; a check leaves localStorage only once the server has answered it.
 * Without a connection it waits, and goes when the browser is back online (and every few
 * seconds). Each check says how long ago it was made (age_seconds, by the phone's own
 * clock, so a phone whose clock is wrong still records the right time; the server accepts
 * up to 12 hours back).
 *
 * The server answers with the route fragment (it is asked as htmx would ask), which replaces
 * #route and says the result ("checked in, 35 m from home" or "flagged…"). Without
 * JavaScript the forms are plain POSTs and work the same, without a location.
 *
 * The sync state (#sync-state) is always in view while the script runs: how many checks
 * wait on this phone, "all sent" / "waiting for a connection" / "sending" in words, and
 * when the server last took a check from this phone (kept in localStorage,
 * "kangyang:checks-sent:<user id>", so it survives closing the page).
 */
(function () {
  "use strict";

  var root = document.getElementById("route");
  if (!root) return;
  var key = "kangyang:checks:" + (root.dataset.user || "");
  var sentKey = "kangyang:checks-sent:" + (root.dataset.user || "");
  var status = document.getElementById("check-queue");
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
    } catch (e) { /* storage full or disabled: the check is still being sent */ }
  }
  function say(text, state) {
    if (!status) return;
    status.hidden = !text;
    if (status.textContent !== (text || "")) status.textContent = text || "";  // a live region: changes only
    status.dataset.state = state || "";
  }
  // The sync state, from the queue itself: nothing waiting → all sent; a check going → sending;
  // checks waiting → waiting for a connection (the next try is already planned).
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
    var last = lastSent();
    var text = sync.dataset;
    // Changed parts only: the state is a live region, read out again on every change.
    function put(selector, value) {
      var el = sync.querySelector(selector);
      if (el.textContent !== value) el.textContent = value;
    }
    if (sync.dataset.state !== state) sync.dataset.state = state;
    put("[data-sync-word]", state === "sending" ? text.textSending : (state === "waiting" ? text.textWaiting : text.textSent));
    put("[data-sync-count]", text.textCount.replace("{n}", String(n)));
    put("[data-sync-last]", last ? text.textLast.replace("{time}", when(last)) : text.textNever);
    sync.hidden = false;
  }
  function showQueue() {
    var n = load().length;
    if (n) say(root.dataset.textQueued.replace("{n}", String(n)), "queued");
    else if (status && status.dataset.state === "queued") say("", "");
    showSync();
  }
  function csrf() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // The phone's location, or null when refused, unavailable or too slow: a fresh fix first
  // (the check is about where the caregiver is now), else one the phone took in the last two
  // minutes, else none.
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
    function recent(error) {
      if (error && error.code === 1) { finish(null); return; }  // refused: ask no more
      navigator.geolocation.getCurrentPosition(
        function (p) { finish(p.coords); },
        function () { finish(null); },
        { enableHighAccuracy: false, timeout: 2000, maximumAge: 120000 }
      );
    }
    navigator.geolocation.getCurrentPosition(
      function (p) { finish(p.coords); },
      recent,
      { enableHighAccuracy: true, timeout: GEO_WAIT_MS, maximumAge: 0 }
    );
  }

  function swap(html) {
    root.innerHTML = html;
    if (window.htmx) window.htmx.process(root);
  }

  function refresh() {
    fetch(root.dataset.routeUrl, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html) swap(html); })
      .catch(function () { /* offline: the page stays as it is */ });
  }

  function retryLater() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, RETRY_MS);
  }

  // Send the oldest waiting check; on an answer, drop it and go on with the next.
  function flush() {
    if (sending) return;
    var queue = load();
    if (!queue.length) { showQueue(); return; }
    if (navigator.onLine === false) { showQueue(); retryLater(); return; }
    var item = queue[0];
    var body = new URLSearchParams(item.fields);
    body.set("csrfmiddlewaretoken", csrf());
    body.set("age_seconds", String(Math.max(0, (Date.now() - item.made) / 1000)));
    sending = true;
    say(root.dataset.textSending, "sending");
    showSync();
    fetch(item.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrf() },
    }).then(function (r) {
      if (r.status >= 500) throw new Error("server error " + r.status);
      return r.text().then(function (html) { return { ok: r.ok, html: html }; });
    }).then(function (answer) {
      store(load().filter(function (c) { return c.id !== item.id; }));
      sending = false;
      markSent();  // the server took it (a refusal too is an answer: the check left the phone)
      if (answer.ok) { swap(answer.html); say("", ""); }
      else { say(root.dataset.textRefused, "refused"); refresh(); }
      if (load().length) flush(); else if (answer.ok) showQueue(); else showSync();
    }).catch(function () {
      sending = false;
      showQueue();
      retryLater();
    });
  }

  function queueCheck(form, made, coords) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.name !== "csrfmiddlewaretoken" && !el.disabled) fields[el.name] = el.value;
    });
    if (coords) {
      fields.lat = String(coords.latitude);
      fields.lng = String(coords.longitude);
      fields.accuracy = coords.accuracy == null ? "" : String(coords.accuracy);
      fields.system = "wgs84";  // the W3C Geolocation API gives WGS-84
    }
    var queue = load();
    queue.push({ id: made + "-" + Math.random().toString(36).slice(2), url: form.action, fields: fields,
                 made: made, at: new Date(made).toISOString() });
    store(queue);
    showSync();
  }

  root.addEventListener("submit", function (e) {
    var form = e.target.closest("form[data-check]");
    if (!form) return;
    e.preventDefault();
    var made = Date.now();  // the time the check was made, whatever happens next
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    say(root.dataset.textLocating, "locating");
    locate(function (coords) {
      queueCheck(form, made, coords);
      flush();
    });
  });

  // The other buttons (accept, on my way, nobody home, decline) are htmx forms: say so when
  // they cannot reach the server instead of failing silently.
  root.addEventListener("htmx:sendError", function () { say(root.dataset.textOffline, "offline"); });

  window.addEventListener("online", flush);
  window.addEventListener("offline", showSync);
  // Another tab of the same caregiver sent or queued a check: show the phone's real state.
  window.addEventListener("storage", function (e) { if (e.key === key || e.key === sentKey) showSync(); });
  window.addEventListener("pageshow", flush);
  flush();
})();
