/* The assessment stepper: no answer is lost when the connection drops.
 *
 * Every answer is written to localStorage (key "kangyang:assessment:<id>") the moment it is
 * given, then sent to the server by htmx (the form's hx-post, triggered by the custom event
 * "kangyang-save"). An answer leaves localStorage only once the server has said it saved it.
 * When a save fails for want of a connection, the status says so and the save is tried
 * again: when the browser is back online, and every few seconds. When a page opens, answers
 * still on the tablet are put back into the form and sent, whichever step they belong to.
 * Moving to another step waits until everything is saved.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-assessment]");
  if (!form || !window.htmx) return;
  var key = "kangyang:assessment:" + form.dataset.assessment;
  var status = document.getElementById("save-status");
  var sending = null;      // the values of the request in flight
  var again = false;       // more answers arrived while a request was in flight
  var goTo = null;         // a step to open once everything is saved
  var retryDelay = 3000;
  var retryTimer = null;

  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { return {}; }
  }
  function store(values) {
    try {
      if (Object.keys(values).length) localStorage.setItem(key, JSON.stringify(values));
      else localStorage.removeItem(key);
    } catch (e) { /* storage full or disabled: the server save still runs */ }
  }
  function pendingCount() { return Object.keys(load()).length; }

  function show(state, text) {
    status.dataset.state = state;
    if (text !== undefined) status.textContent = text;
    else if (form.dataset["text" + state.charAt(0).toUpperCase() + state.slice(1)]) {
      status.textContent = form.dataset["text" + state.charAt(0).toUpperCase() + state.slice(1)];
    }
  }

  function answerFields() {
    return Array.prototype.filter.call(form.elements, function (el) { return el.hasAttribute("data-answer"); });
  }
  function valueOf(name) {
    var value = null;
    answerFields().forEach(function (el) {
      if (el.name !== name) return;
      if (el.type === "radio" || el.type === "checkbox") { if (el.checked) value = el.value; }
      else value = el.value;
    });
    return value;
  }
  function setValue(name, value) {
    var found = false;
    answerFields().forEach(function (el) {
      if (el.name !== name) return;
      found = true;
      if (el.type === "radio" || el.type === "checkbox") el.checked = el.value === value;
      else el.value = value;
    });
    return found;
  }

  function save() {
    if (!pendingCount()) { if (goTo) go(goTo); return; }
    if (!navigator.onLine) { show("offline"); return; }
    if (sending) { again = true; return; }
    htmx.trigger(form, "kangyang-save");
  }
  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(save, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 60000);
  }
  function go(url) {
    goTo = null;
    window.location.href = url;
  }

  // An answer is given: keep it on the tablet first, then send it.
  form.addEventListener("change", function (e) {
    var el = e.target;
    if (!el.hasAttribute || !el.hasAttribute("data-answer")) return;
    var values = load();
    values[el.name] = valueOf(el.name);
    store(values);
    var fieldset = el.closest("fieldset.item");
    if (fieldset) fieldset.classList.remove("unanswered");
    save();
  });

  // The request carries this step's fields (htmx) plus answers of other steps still waiting.
  form.addEventListener("htmx:configRequest", function (e) {
    var values = load();
    Object.keys(values).forEach(function (name) {
      if (e.detail.formData) e.detail.formData.set(name, values[name]);
      else e.detail.parameters[name] = values[name];
    });
    sending = values;
    show("saving");
  });

  // A refused answer (422) is shown, not retried: the assessor has to change it.
  form.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr.status === 422) { e.detail.shouldSwap = true; e.detail.isError = false; }
  });

  form.addEventListener("htmx:afterRequest", function (e) {
    var sent = sending || {};
    sending = null;
    var code = e.detail.xhr ? e.detail.xhr.status : 0;
    if (code >= 200 && code < 300 || code === 422) {
      // Saved (or refused for good): forget what was sent, unless it changed meanwhile.
      var values = load();
      Object.keys(sent).forEach(function (name) { if (values[name] === sent[name]) delete values[name]; });
      store(values);
      retryDelay = 3000;
      again = false;
      if (code === 422) { status.dataset.state = "error"; goTo = null; return; }
      status.dataset.state = "saved";
      if (Object.keys(values).length) { save(); return; }  // answers given meanwhile
      if (form.hasAttribute("data-reload-after-save") && Object.keys(sent).length) { window.location.reload(); return; }
      if (goTo) go(goTo);
      return;
    }
    // No answer from the server (offline, timeout) or a server error: keep and retry.
    again = false;
    show(navigator.onLine ? "pending" : "offline");
    scheduleRetry();
  });

  window.addEventListener("online", function () { retryDelay = 3000; save(); });
  window.addEventListener("offline", function () { if (pendingCount()) show("offline"); });

  // Moving to another step (Back, Save and continue, the stepper's links): only once saved.
  function stepUrl(step) { return form.dataset.stepUrl.replace("STEP", step); }
  form.addEventListener("submit", function (e) {
    var button = e.submitter;
    if (!button || button.name !== "go") return;
    e.preventDefault();
    goTo = stepUrl(button.value);
    if (pendingCount()) save();
    else if (navigator.onLine) go(goTo);
    else show("offline");
  });
  document.querySelectorAll("a[data-step-link]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      if (!pendingCount() && navigator.onLine) return;
      e.preventDefault();
      goTo = a.href;
      save();
    });
  });

  // Signing waits for every answer to reach the server.
  document.querySelectorAll("form[data-sign-form]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (pendingCount()) { e.preventDefault(); save(); show(navigator.onLine ? "pending" : "offline"); }
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) { if (!window.confirm(f.dataset.confirm)) e.preventDefault(); });
  });

  // Opening a page: put back answers that never reached the server, and send them, once
  // htmx has read the page (it announces that with htmx:load on the body).
  function restore() {
    var waiting = load();
    var names = Object.keys(waiting);
    names.forEach(function (name) {
      if (setValue(name, waiting[name])) {
        var el = form.elements.namedItem(name);
        var fieldset = el && (el.closest ? el.closest("fieldset.item") : (el[0] && el[0].closest("fieldset.item")));
        if (fieldset) fieldset.classList.remove("unanswered");
      }
    });
    if (names.length) { show(navigator.onLine ? "saving" : "offline"); save(); }
  }
  var restored = false;
  htmx.onLoad(function (elt) {
    if (elt === document.body && !restored) { restored = true; restore(); }
  });
})();
