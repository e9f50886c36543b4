/* The operator console: live queue, sound, highlight and keyboard.
 *
 * The queue (#alarm-queue) is an htmx fragment that reloads itself on the body event
 * "alarms-changed". This script fires that event whenever the server-sent event stream
 * (data-stream-url) says something changed in the user's alarms. While the stream is not
 * connected, window.kangyangAlarmsLive is false and the queue polls every two seconds
 * instead (this script fires the event; no hx-trigger filter, as htmx may not eval under
 * the Content-Security-Policy), so the page works without the stream as well.
 *
 * After each reload, alarms not seen before that are still waiting, and alarms raised again
 * (their repeat count went up), are highlighted and a short beep is played (Web Audio: no
 * sound file). Sound is on by default from the operator's first click or key on the page
 * (browsers allow no sound before); the "sound" button turns it off, remembered in
 * localStorage.
 *
 * Keys (when not typing in a field): ↓/J and ↑/K choose an alarm, Enter opens its card,
 * A acknowledges the chosen alarm (or the one whose card is open).
 */
(function () {
  "use strict";

  var root = document.getElementById("alarm-console");
  if (!root || !window.htmx) return;
  var queue = document.getElementById("alarm-queue");
  var card = document.getElementById("alarm-card");
  var live = document.getElementById("alarm-live");
  var soundButton = document.getElementById("alarm-sound");
  var seen = null;           // ids of alarms already shown; null until the first queue
  var selectedId = root.dataset.selected || null;
  var audio = null;          // the Web Audio context, made at the first interaction
  window.kangyangAlarmsLive = false;

  // -- the stream ------------------------------------------------------------------------
  function setLive(state) {
    window.kangyangAlarmsLive = state === "live";
    if (live) {
      live.dataset.state = state;
      live.textContent = live.dataset["text" + state.charAt(0).toUpperCase() + state.slice(1)] || state;
    }
  }

  // Reload the queue; reload the open card too when its alarm changed (taken by someone
  // else, resolved), unless the operator is writing in it.
  function changed(e) {
    htmx.trigger(document.body, "alarms-changed");
    var changedAt = {};
    try { changedAt = (JSON.parse(e.data) || {}).changed || {}; } catch (err) { changedAt = {}; }
    var shown = card.querySelector("[data-card-alarm-id]");
    if (!shown) return;
    var stamp = changedAt[shown.dataset.cardAlarmId];
    // The card already shows this change (the operator's own action answered with it).
    if (!stamp || Number(stamp) <= Number(shown.dataset.stamp || 0)) return;
    var busy = Array.prototype.some.call(card.querySelectorAll("input[type=text], textarea, select"), function (el) {
      return el === document.activeElement || (el.tagName !== "SELECT" && el.value);
    });
    // Numbers revealed for a call stay until the operator reloads the card herself (a reload
    // would hide them again and ask for another audited reveal in the middle of a call).
    if (card.querySelector(".reveal.revealed")) busy = true;
    if (!busy) htmx.ajax("GET", shown.dataset.cardUrl, { target: card, swap: "innerHTML" });
  }

  if (window.EventSource && root.dataset.streamUrl) {
    var source = new EventSource(root.dataset.streamUrl);
    var downTimer = null;
    source.addEventListener("open", function () {
      clearTimeout(downTimer);
      setLive("live");
    });
    source.addEventListener("alarms", changed);
    source.addEventListener("error", function () {
      // The browser reconnects by itself after the server's "retry" (a WSGI server ends
      // each response at once, so this happens every second there): poll only if it has
      // not come back within a few seconds.
      clearTimeout(downTimer);
      downTimer = setTimeout(function () { setLive("polling"); }, 3000);
    });
    window.addEventListener("pagehide", function () { source.close(); });
  } else {
    setLive("polling");
  }

  // -- sound -----------------------------------------------------------------------------
  // On by default: browsers let a page play sound only after the operator has clicked or
  // pressed a key on it, so the first click or key anywhere starts it. The button turns it
  // off (and on again); that choice is kept in localStorage for this browser.
  var SOUND_KEY = "kangyang.alarms.sound";

  function soundWanted() {
    try { return window.localStorage.getItem(SOUND_KEY) !== "off"; } catch (err) { return true; }
  }

  function rememberSound(on) {
    try {
      if (on) window.localStorage.removeItem(SOUND_KEY);
      else window.localStorage.setItem(SOUND_KEY, "off");
    } catch (err) { /* private mode: the choice lasts as long as the page */ }
  }

  var wantSound = soundWanted();
  var interacted = false;

  function audioContext() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    if (!audio) audio = new Ctx();
    return audio;
  }

  function soundRunning() { return !!audio && audio.state === "running"; }

  function showSound() {
    if (!soundButton) return;
    var state = !wantSound ? "off" : soundRunning() ? "on" : "armed";
    soundButton.dataset.state = state;
    soundButton.setAttribute("aria-pressed", wantSound ? "true" : "false");
    soundButton.textContent = soundButton.dataset["text" + state.charAt(0).toUpperCase() + state.slice(1)];
  }

  function startSound() {
    var ctx = audioContext();
    if (ctx && ctx.state !== "running") ctx.resume().then(showSound, showSound);
    else showSound();
  }

  function firstInteraction() {
    if (interacted) return;
    interacted = true;
    if (wantSound) startSound();
  }

  function beep() {
    root.dataset.beeps = String((parseInt(root.dataset.beeps || "0", 10) || 0) + 1);
    if (!wantSound) return;
    var ctx = audioContext();
    if (!ctx || ctx.state !== "running") return;
    // Two short tones, as alarm-centre consoles do: 880 Hz then 660 Hz.
    [[880, 0], [660, 0.22]].forEach(function (tone) {
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      var start = ctx.currentTime + tone[1];
      osc.type = "square";
      osc.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.2);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.21);
    });
  }

  if (soundButton) {
    soundButton.addEventListener("click", function () {
      interacted = true;
      wantSound = !wantSound;
      rememberSound(wantSound);
      if (wantSound) startSound();
      else if (soundRunning()) audio.suspend().then(showSound, showSound);
      else showSound();
    });
  }
  document.addEventListener("pointerdown", function (e) {
    if (e.target !== soundButton) firstInteraction();
  }, true);
  showSound();

  // -- the queue -------------------------------------------------------------------------
  function rows() { return Array.prototype.slice.call(queue.querySelectorAll("[data-alarm-id]")); }

  function select(id, focus) {
    selectedId = id ? String(id) : null;
    rows().forEach(function (row) {
      var on = row.dataset.alarmId === selectedId;
      row.classList.toggle("selected", on);
      row.setAttribute("aria-selected", on ? "true" : "false");
      if (on && focus) row.focus();
    });
  }

  // An alarm new to this page that is still waiting, or one raised again (a repeat merged
  // into it: its count went up), is highlighted and beeps.
  function afterQueue() {
    var fresh = 0;
    var ids = {};
    rows().forEach(function (row) {
      var id = row.dataset.alarmId;
      var repeats = parseInt(row.dataset.repeats || "0", 10) || 0;
      ids[id] = repeats;
      if (seen !== null && !(id in seen)) {
        row.classList.add("new");
        if (row.dataset.status === "raised") fresh += 1;
      } else if (seen !== null && repeats > seen[id]) {
        row.classList.add("new", "repeated");
        fresh += 1;
      }
    });
    if (seen !== null && fresh) beep();
    seen = Object.assign(seen || {}, ids);
    select(selectedId, false);
    tick();
  }

  queue.addEventListener("htmx:afterSwap", function (e) { if (e.target === queue) afterQueue(); });
  afterQueue();

  // The queue is replaced on every change, and htmx drops the answer to a request whose
  // element has left the page: so the queue's links and forms are sent on behalf of the
  // card, which stays. (Without JavaScript they are a plain link and a plain form.)
  function toCard(verb, url) {
    htmx.ajax(verb, url, { source: card, target: card, swap: "innerHTML" });
  }

  queue.addEventListener("click", function (e) {
    var row = e.target.closest("[data-alarm-id]");
    if (row) select(row.dataset.alarmId, false);
    var link = e.target.closest("a[data-open]");
    if (link && e.button === 0 && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
      e.preventDefault();
      toCard("GET", link.getAttribute("href"));
    }
  });

  queue.addEventListener("submit", function (e) {
    var form = e.target.closest("form[data-acknowledge-form]");
    if (!form) return;
    e.preventDefault();
    toCard("POST", form.getAttribute("action"));
  });

  // -- waiting time, counted on screen between reloads -----------------------------------
  function tick() {
    var now = Date.now();
    queue.querySelectorAll("[data-waiting-since]").forEach(function (el) {
      var seconds = Math.max(0, Math.floor(now / 1000 - parseInt(el.dataset.waitingSince, 10)));
      var m = Math.floor(seconds / 60);
      var s = seconds % 60;
      el.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      el.closest("[data-alarm-id]").classList.toggle("overdue", seconds > 60);
    });
  }
  setInterval(tick, 1000);
  setInterval(function () {
    if (!window.kangyangAlarmsLive) htmx.trigger(document.body, "alarms-changed");
  }, 2000);

  // -- keys ------------------------------------------------------------------------------
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var at = all.findIndex(function (r) { return r.dataset.alarmId === selectedId; });
    var next = at < 0 ? 0 : Math.min(all.length - 1, Math.max(0, at + step));
    select(all[next].dataset.alarmId, true);
  }

  function acknowledgeSelected() {
    var shownCard = card.querySelector("[data-card-alarm-id]");
    var id = selectedId || (shownCard && shownCard.dataset.cardAlarmId);
    if (!id) return;
    var button = queue.querySelector('[data-alarm-id="' + id + '"] button[data-acknowledge]') ||
                 card.querySelector('[data-card-alarm-id="' + id + '"] button[data-acknowledge]');
    if (button) button.click();
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    var key = e.key.toLowerCase();
    if (key === "arrowdown" || key === "j") { move(1); e.preventDefault(); }
    else if (key === "arrowup" || key === "k") { move(-1); e.preventDefault(); }
    else if (key === "enter" && selectedId && e.target.closest && !e.target.closest("button, a")) {
      var link = queue.querySelector('[data-alarm-id="' + selectedId + '"] a[data-open]');
      if (link) { link.click(); e.preventDefault(); }
    } else if (key === "a") { acknowledgeSelected(); e.preventDefault(); }
    firstInteraction();
  });

  // The card that opens becomes the selection.
  card.addEventListener("htmx:afterSwap", function () {
    var shown = card.querySelector("[data-card-alarm-id]");
    if (shown) select(shown.dataset.cardAlarmId, false);
  });
})();
