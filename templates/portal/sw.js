/* The app's service worker (served by kangyang/portal/views/shell.py at /app/sw.js, scope /app/).
   - The shell (css, js, icons, the offline page) is kept from installation on.
   - App pages: the network first; what came back is kept, so that a page already seen opens
     without a connection; a page never seen opens the offline page (the hotline to call).
   - Only GET is ever answered from a cache; nothing else is kept.
   - A web push message is shown as a notification that opens /app/notifications/.
   - Signing out (app.js sends "sign-out"), or a page that sends the browser to the sign-in page,
     empties the kept pages: they hold the signed-in person's data. */
"use strict";
const CONFIG = {{ config|safe }};
const SHELL = "kangyang-shell-" + CONFIG.version;
const PAGES = "kangyang-pages";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL)
      .then(function (cache) { return cache.addAll(CONFIG.precached); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf("kangyang-shell-") === 0 && name !== SHELL;
        }).map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function forgetPages() {
  return caches.delete(PAGES);
}

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "sign-out") {
    const done = forgetPages().then(function () {
      if (event.ports && event.ports[0]) event.ports[0].postMessage("forgotten");
    });
    if (event.waitUntil) event.waitUntil(done);
  }
});

function isPage(response) {
  const type = response.headers.get("Content-Type") || "";
  return response.status === 200 && type.indexOf("text/html") === 0;
}

/* A page the server marks no-store (the sign-in steps, which show a masked phone number) is
   never kept. */
function mayKeep(response) {
  return isPage(response) && (response.headers.get("Cache-Control") || "").indexOf("no-store") === -1;
}

function isSignIn(pathname) {
  return CONFIG.login.some(function (path) { return pathname.indexOf(path) === 0; });
}

function page(event, url) {
  const request = event.request;
  return fetch(request).then(function (response) {
    const landed = new URL(response.url || request.url);
    if (isSignIn(landed.pathname)) {
      // Signed out (or the session ended): what was kept is someone's data.
      event.waitUntil(forgetPages());
    } else if (mayKeep(response) && !response.redirected && landed.pathname.indexOf(CONFIG.scope) === 0) {
      const copy = response.clone();
      event.waitUntil(caches.open(PAGES).then(function (cache) { return cache.put(url.href, copy); }));
    }
    return response;
  }).catch(function () {
    return caches.match(url.href, { cacheName: PAGES }).then(function (kept) {
      return kept || caches.match(CONFIG.offline, { cacheName: SHELL });
    });
  });
}

function asset(request) {
  // Static URLs carry their content's version (?v=…), so a kept copy is the right one. Without a
  // connection, an older version of the file is better than none (a page kept from before).
  return caches.match(request, { cacheName: SHELL }).then(function (kept) {
    return kept || fetch(request).catch(function (error) {
      return caches.match(request, { cacheName: SHELL, ignoreSearch: true }).then(function (older) {
        if (older) return older;
        throw error;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return;  // never answered from, nor kept in, a cache
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.indexOf(CONFIG.scope) === 0) {
    url.hash = "";
    event.respondWith(page(event, url));
  } else if (url.pathname.indexOf(CONFIG.static) === 0) {
    event.respondWith(asset(request));
  }
});

/* Web push (kangyang/notify's WebPush sends {"title", "body", "template"}): shown as a
   notification; pressing it opens what the person was told. */
self.addEventListener("push", function (event) {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {body: event.data ? event.data.text() : ""}; }
  event.waitUntil(self.registration.showNotification(data.title || "康养", {
    body: data.body || "", tag: data.template || "kangyang", data: {url: CONFIG.notifications},
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  event.waitUntil(self.clients.openWindow(event.notification.data.url));
});
