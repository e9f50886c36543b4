/* The caregiver's phone page: check-in and check-out with the phone's location, and no
 * check lost when the connection drops. The queue, its sending and the sync state are
 * outbox.js's (loaded first); this script has the check forms and what the route does with
 * the server's answer.
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
  if (!root || !window.KangyangOutbox) return;
  var text = root.dataset;
  var status = document.getElementById("check-queue");

  var box = new window.KangyangOutbox({
    key: "kangyang:checks", user: text.user, root: root, pageUrl: text.routeUrl, words: text,
    status: status, sync: document.getElementById("sync-state"),
    answered: function (answer) {
      if (answer.ok) { box.swap(answer.html); box.say("", ""); }
      else { box.say(text.textRefused, "refused"); box.refresh(); }
    },
    // Nothing going: say how many checks wait on the phone (and nothing once none wait).
    idle: function (n) {
      if (n) box.say(text.textQueued.replace("{n}", String(n)), "queued");
      else if (status && status.dataset.state === "queued") box.say("", "");
    },
  });

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
    box.add({ id: made + "-" + Math.random().toString(36).slice(2), url: form.action, fields: fields,
              made: made, at: new Date(made).toISOString() });
    box.showSync();
  }

  root.addEventListener("submit", function (e) {
    var form = e.target.closest("form[data-check]");
    if (!form) return;
    e.preventDefault();
    var made = Date.now();  // the time the check was made, whatever happens next
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    box.say(text.textLocating, "locating");
    box.locate(function (coords) {
      queueCheck(form, made, coords);
      box.flush();
    });
  });

  // The other buttons (accept, on my way, nobody home, decline) are htmx forms: say so when
  // they cannot reach the server instead of failing silently.
  root.addEventListener("htmx:sendError", function () { box.say(text.textOffline, "offline"); });

  box.start();
})();
