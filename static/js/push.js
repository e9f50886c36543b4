/* "Tell me on this phone" (issue 14): subscribe this browser to web push with the site's
   VAPID key, through the app's service worker, and hand the subscription to
   /app/notifications/push/. Without push (an old phone, notifications refused), the family is
   told by SMS, and the page says so. No inline script: loaded with defer. */
(function () {
  "use strict";
  var box = document.getElementById("push-box");
  if (!box) return;
  var onButton = box.querySelector("[data-push=on]");
  var offButton = box.querySelector("[data-push=off]");
  var state = box.querySelector(".push-state");
  var tokenField = box.querySelector("input[name=csrfmiddlewaretoken]");

  function say(text) {
    state.textContent = "";
    var span = document.createElement("span");
    span.className = "state";
    span.textContent = text;
    state.appendChild(span);
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function send(method, body) {
    return fetch(box.dataset.url, {
      method: method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": tokenField ? tokenField.value : ""},
      body: body ? JSON.stringify(body) : null
    }).then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); });
  }

  function registration() {
    // The app's service worker (the PWA's); without one there is nothing to push to.
    return navigator.serviceWorker.getRegistration().then(function (reg) {
      if (!reg) throw new Error("no service worker");
      return reg;
    });
  }

  var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  if (!supported) {
    if (onButton) onButton.disabled = true;
    if (onButton) say(box.dataset.unsupported);
    return;
  }

  if (onButton) onButton.addEventListener("click", function () {
    onButton.disabled = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { say(box.dataset.denied); throw null; }
      return registration();
    }).then(function (reg) {
      return reg.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.key)});
    }).then(function (subscription) {
      return send("POST", subscription.toJSON());
    }).then(function () {
      say(box.dataset.sayOn);
      onButton.hidden = true;
      if (offButton) offButton.hidden = false;
    }).catch(function (error) {
      if (error !== null) say(box.dataset.unsupported);
    }).then(function () { onButton.disabled = false; });
  });

  if (offButton) offButton.addEventListener("click", function (event) {
    event.preventDefault();
    registration().then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (subscription) { return subscription ? subscription.unsubscribe() : true; })
      .catch(function () { return true; })  // the browser's side is gone already: forget ours anyway
      .then(function () { return send("DELETE"); })
      .then(function () {
        say(box.dataset.sayOff);
        offButton.hidden = true;
        if (onButton) onButton.hidden = false;
      }, function () { say(box.dataset.failed); });
  });
})();
