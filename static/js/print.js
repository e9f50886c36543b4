/* A "Print" button on a printable page: any element with data-print prints the page (the
 * page's print stylesheet leaves out the navigation and the filters). No inline script runs
 * under the Content-Security-Policy, hence this file. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
