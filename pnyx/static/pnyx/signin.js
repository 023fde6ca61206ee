/* The last page of signing in, when it runs in the popup the comment form opened: tell the post page
 * how it went (it refreshes who is commenting) and close. Opened any other way, the page stays. */
(function () {
  "use strict";
  var done = document.querySelector(".signin-done");
  if (!done || !window.opener) return;
  try {
    window.opener.postMessage({ pnyx: "signin", outcome: done.dataset.outcome }, location.origin);
  } catch (e) { return; }
  window.close();
})();
