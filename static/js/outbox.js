/* The offline queue shared by the caregiver's route (caregiver.js) and the visitor's board
 * (visitor.js): what is recorded on the phone is kept until the server has it.
 *
 * window.KangyangOutbox(options) keeps a queue in localStorage ("<key>:<user id>") and sends
 * it oldest first; an item leaves localStorage only once the server has answered it (a
 * refusal too is an answer: the item left the phone). Without a connection it waits, and goes
 * when the browser is back online (and every few seconds). Each item is sent with how long
 * ago it was made (age_seconds, by the phone's own clock, so a phone whose clock is wrong
 * still records the right time).
 *
 * The sync state (options.sync, #sync-state) is always in view while the script runs: how
 * many items wait on this phone, "all sent" / "waiting" / "sending" in words, and when the
 * server last took an item from this phone (kept in localStorage, "<key>-sent:<user id>", so
 * it survives closing the page). Every word comes from the page's data-* attributes (the
 * templates translate them): the sync state's own, and options.words (textSending) for the
 * live region (options.status) that says what is happening.
 *
 * locate() asks the phone for its location (navigator.geolocation: WGS-84, with the accuracy
 * it reports): a fresh fix first, else one the phone took in the last two minutes, else none
 * (refused, unavailable or too slow → null; the server flags "no location" and never blocks).
 *
 * Options: root (replaced by the server's answer), pageUrl (the fragment asked again after a
 * refusal), key, user, status, sync, words; send(item) → a promise of the answer
 * ({ok, status, html}), or of null when it cannot be sent now (kept, tried again later);
 * rejected without a connection (by default: post() with the page's CSRF token);
 * answered(answer, item) → what the page does with the answer; idle(n) → what the page says
 * when nothing is being sent and n items wait; failed() → what it says when a send failed.
 */
(function () {
  "use strict";

  var GEO_WAIT_MS = 8000;
  var RETRY_MS = 5000;

  window.KangyangOutbox = function (options) {
    var box = this;
    var key = options.key + ":" + (options.user || "");
    var sentKey = options.key + "-sent:" + (options.user || "");
    var root = options.root;
    var status = options.status;
    var sync = options.sync;
    var words = options.words || {};
    var sending = false;
    var retryTimer = null;

    function load() {
      try { return JSON.parse(localStorage.getItem(key) || "[]") || []; } catch (e) { return []; }
    }
    function store(list) {
      try {
        if (list.length) localStorage.setItem(key, JSON.stringify(list));
        else localStorage.removeItem(key);
      } catch (e) { /* storage full or disabled: the item is still being sent */ }
    }
    function say(text, state) {
      if (!status) return;
      status.hidden = !text;
      if (status.textContent !== (text || "")) status.textContent = text || "";  // a live region: changes only
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
    // The sync state, from the queue itself: nothing waiting → all sent; an item going →
    // sending; items waiting → waiting (the next try is already planned).
    function showSync() {
      if (!sync) return;
      var n = load().length;
      var state = sending ? "sending" : (n ? "waiting" : "sent");
      var text = sync.dataset;
      var waiting = text.textWaitingOne ? (n === 1 ? text.textWaitingOne : text.textWaitingOther) : text.textWaiting;
      var last = lastSent();
      // Changed parts only: the state is a live region, read out again on every change.
      function put(selector, value) {
        var el = sync.querySelector(selector);
        if (el && el.textContent !== value) el.textContent = value;
      }
      if (sync.dataset.state !== state) sync.dataset.state = state;
      sync.dataset.count = String(n);
      put("[data-sync-word]", state === "sending" ? text.textSending
        : (state === "waiting" ? waiting.replace("{n}", String(n)) : text.textSent));
      if (text.textCount) put("[data-sync-count]", text.textCount.replace("{n}", String(n)));
      put("[data-sync-last]", last ? text.textLast.replace("{time}", when(last)) : text.textNever);
      sync.hidden = false;
    }
    function idle() {
      if (options.idle) options.idle(load().length);
      showSync();
    }
    function csrf() {
      var field = document.querySelector("input[name=csrfmiddlewaretoken]");
      return field ? field.value : "";
    }

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
      fetch(options.pageUrl, { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html) swap(html); })
        .catch(function () { /* offline: the page stays as it is */ });
    }
    function retryLater() {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(flush, RETRY_MS);
    }

    // One item as htmx would send it; a server error is no answer (the item stays).
    function post(item, token) {
      var body = new URLSearchParams(item.fields);
      body.set("csrfmiddlewaretoken", token);
      body.set("age_seconds", String(Math.max(0, (Date.now() - item.made) / 1000)));
      return fetch(item.url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "HX-Request": "true", "X-CSRFToken": token },
      }).then(function (r) {
        if (r.status >= 500) throw new Error("server error " + r.status);
        return r.text().then(function (html) { return { ok: r.ok, status: r.status, html: html }; });
      });
    }
    var send = options.send || function (item) { return post(item, csrf()); };

    // Send the oldest waiting item; on an answer, drop it and go on with the next.
    function flush() {
      if (sending) return;
      var queue = load();
      if (!queue.length) { idle(); return; }
      if (navigator.onLine === false) { idle(); retryLater(); return; }
      var item = queue[0];
      sending = true;
      say(words.textSending, "sending");
      showSync();
      Promise.resolve().then(function () { return send(item); }).then(function (answer) {
        if (answer === null) {  // not sent now (e.g. signed out): it stays on the phone
          sending = false;
          showSync();
          retryLater();
          return;
        }
        store(load().filter(function (c) { return c.id !== item.id; }));
        sending = false;
        markSent();  // the server took it (a refusal too is an answer: the item left the phone)
        if (options.answered) options.answered(answer, item);
        if (load().length) flush(); else idle();
      }).catch(function () {
        sending = false;
        if (options.failed) options.failed();
        idle();
        retryLater();
      });
    }

    function add(item) {
      var queue = load();
      queue.push(item);
      store(queue);
    }

    function start() {
      window.addEventListener("online", flush);
      window.addEventListener("offline", showSync);
      // Another tab of the same person sent or queued an item: show the phone's real state.
      window.addEventListener("storage", function (e) { if (e.key === key || e.key === sentKey) showSync(); });
      window.addEventListener("pageshow", flush);
      flush();
    }

    box.load = load;
    box.add = add;
    box.say = say;
    box.showSync = showSync;
    box.csrf = csrf;
    box.locate = locate;
    box.swap = swap;
    box.refresh = refresh;
    box.post = post;
    box.flush = flush;
    box.start = start;
  };
})();
