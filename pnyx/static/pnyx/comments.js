/* The post page's small script. The page works without it; with it:
 * - Reply moves the form under the comment answered, with "Cancel reply";
 * - the visitor's own details and held comments are fetched from a per-visitor JSON request
 *   (the page itself is the same for everyone, so it can be cached);
 * - the draft is kept in this browser until the server has taken the comment;
 * - the button rests while the comment is on its way, so a double click sends it once;
 * - a #comment-N (or an old imported anchor) this page of the thread does not hold opens the page that
 *   holds it, found through a small JSON lookup that is the same for everyone. */
(function () {
  "use strict";
  var area = document.getElementById("comments");
  var form = document.getElementById("commentform");
  if (!area) return;
  var respond = document.getElementById("respond");
  var home = respond ? document.createComment("respond") : null;
  if (respond) respond.parentNode.insertBefore(home, respond);

  function field(name) { return form ? form.elements.namedItem(name) : null; }

  if (form) {
    field("js").value = "1";
    var cancel = document.getElementById("cancel-comment-reply-link");
    var replyingTo = document.getElementById("replying-to");

    area.addEventListener("click", function (event) {
      var link = event.target.closest("a.comment-reply-link");
      if (!link) return;
      event.preventDefault();
      var below = document.getElementById("comment-" + link.dataset.below);
      below.parentNode.insertBefore(respond, below.nextSibling);
      field("comment_parent").value = link.dataset.replyTo;
      replyingTo.hidden = true;
      cancel.hidden = false;
      field("comment").focus();
    });

    cancel.addEventListener("click", function (event) {
      event.preventDefault();
      home.parentNode.insertBefore(respond, home.nextSibling);
      field("comment_parent").value = "";
      replyingTo.hidden = true;
      cancel.hidden = true;
    });

    // No lost drafts: what is typed stays in this browser until the server has taken the comment.
    // Sending proves nothing: the answer may be a refusal, a rate limit, an error page or none at
    // all, and it is a whole new page. So the draft is dropped only where success lands: this page,
    // reached from this tab's send by the server's redirect to the new comment's anchor.
    var draftKey = "pnyx:draft:" + area.dataset.post;
    var sentKey = "pnyx:sent:" + area.dataset.post;
    var body = field("comment");
    try {
      if (sessionStorage.getItem(sentKey)) {
        sessionStorage.removeItem(sentKey);
        if (landedOnNewComment()) localStorage.removeItem(draftKey);
      }
      if (!body.value && localStorage.getItem(draftKey)) body.value = localStorage.getItem(draftKey);
      body.addEventListener("input", function () { localStorage.setItem(draftKey, body.value); });
      form.addEventListener("submit", function () { sessionStorage.setItem(sentKey, "1"); });
    } catch (e) { /* storage disabled: the form still works */ }

    // One click, one comment: the button rests while the POST is on its way. It wakes whenever the
    // page is shown, as the back button can bring it from the browser's cache just as it was left.
    var button = document.getElementById("submit");
    form.addEventListener("submit", function () { button.disabled = true; });
    window.addEventListener("pageshow", function () { button.disabled = false; });
  }

  // A comment's permalink opened by hand has the same anchor, but it is not reached by a redirect.
  function landedOnNewComment() {
    var navigation = performance.getEntriesByType("navigation")[0];
    return /^#comment-\d+$/.test(location.hash) && !!navigation && navigation.redirectCount > 0;
  }

  function place(pending) {
    if (String(pending.page) !== area.dataset.page) return;  // shown on the page of the thread that holds it
    var holder = document.createElement("ol");
    holder.innerHTML = pending.html;
    var item = holder.firstElementChild;
    var parentItem = pending.parent && document.getElementById("li-comment-" + pending.parent);
    var list;
    if (pending.parent && !parentItem) return;  // its parent was hidden meanwhile
    if (parentItem) {
      list = parentItem.querySelector(":scope > ol.children");
      if (!list) { list = document.createElement("ol"); list.className = "children"; parentItem.appendChild(list); }
    } else {
      list = area.querySelector(":scope > ol.comment-list");
      if (!list) {
        list = document.createElement("ol");
        list.className = "comment-list";
        area.insertBefore(list, respond || null);
      }
    }
    list.appendChild(item);
  }

  fetch(area.dataset.mine, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (mine) {
      if (!mine) return;
      mine.pending.forEach(place);
      var who = mine.identity;
      if (form && who && who.kind === "guest") {
        ["author", "email", "url"].forEach(function (name, i) {
          var input = field(name);
          var value = [who.name, who.email, who.url][i];
          if (input && !input.value && value) input.value = value;
        });
      } else if (form && who && who.kind === "user") {
        document.getElementById("identity-guest").hidden = true;
        ["author", "email"].forEach(function (name) { field(name).required = false; });
        var note = document.getElementById("identity-user");
        note.textContent = note.dataset.template.replace("%(name)s", who.name);
        note.hidden = false;
      }
    })
    .catch(function () { /* offline or refused: the page is still complete */ })
    .then(reveal);

  // The anchor in the address, once held comments are in place: scrolled to if this page holds it,
  // else looked up and opened on its page. The lookup's answer is followed once: an answer naming this
  // very page (a comment hidden meanwhile, a stale cached answer) is not followed again.
  function reveal() {
    var name = decodeURIComponent(location.hash.slice(1));
    if (!name) return;
    var target = document.getElementById(name);
    if (target) { target.scrollIntoView(); return; }
    fetch(area.dataset.locate + "&anchor=" + encodeURIComponent(name), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (found) {
        if (!found) return;
        var there = new URL(found.url, location.href);
        if (there.pathname + there.search !== location.pathname + location.search) {
          location.replace(there.href);
        } else if ((target = document.getElementById(there.hash.slice(1)))) {
          target.scrollIntoView();
        }
      })
      .catch(function () { /* the page is still complete */ });
  }
})();
