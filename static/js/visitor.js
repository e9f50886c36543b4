/* The visitor's board in the app (/app/visits/): care-visit records kept on the phone until
 * the server has them. The queue, its sending and the sync state are outbox.js's (loaded
 * first); this script has the record form and what the board does with the server's answer.
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
  if (!root || !window.KangyangOutbox) return;
  var text = root.dataset;
  var box;

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  // A CSRF token good now: the page may have been kept for hours and the person signed in again
  // since, which makes its own token stale. Read off a fresh board (not shown: the person may be
  // typing in a form); null when the session has ended (the board sent to the sign-in page).
  function freshToken() {
    return fetch(text.boardUrl, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) {
        if (r.redirected || !r.ok) return null;
        return r.text().then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var field = doc.querySelector("input[name=csrfmiddlewaretoken]");
          return field ? field.value : box.csrf();
        });
      });
  }

  box = new window.KangyangOutbox({
    key: "kangyang:visits", user: text.user, root: root, pageUrl: text.boardUrl, words: text,
    status: document.getElementById("visit-queue"), sync: document.getElementById("sync-state"),
    send: function (item) {
      return freshToken().then(function (token) {
        if (token !== null) return box.post(item, token);
        // Signed out meanwhile: the record stays on the phone until she signs in again.
        box.say(text.textSignIn, "sign-in");
        return null;
      });
    },
    answered: function (answer) {
      if (answer.ok) { box.swap(answer.html); box.say("", ""); }
      else if (answer.status === 422) { box.swap(answer.html); box.say(text.textRefused, "refused"); }
      else { box.say(text.textRefused, "refused"); box.refresh(); }
    },
    failed: function () { box.say(text.textQueued, "queued"); },
  });

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
    box.add({ id: fields.client_id || newId(), url: form.action, fields: fields, made: made });
    // The next record from this form is another record.
    if (form.elements.client_id) form.elements.client_id.value = newId();
    form.reset();
    if (navigator.onLine === false) box.say(text.textQueued, "queued");
    box.showSync();
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
      box.flush();
    }
    if (mode && mode.value === "home") {
      box.say(text.textLocating, "locating");
      box.locate(go);
    } else {
      go(null);
    }
  });

  box.start();
})();
