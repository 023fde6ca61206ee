/* The post page's small script. The page works without it; with it:
 * - Reply moves the form under the comment answered, with "Cancel reply";
 * - the visitor's own details and held comments are fetched from a per-visitor JSON request
 *   (the page itself is the same for everyone, so it can be cached);
 * - the draft is kept in this browser until the server has taken the comment;
 * - the button rests while the comment is on its way, so a double click sends it once;
 * - a #comment-N (or an old imported anchor) this page of the thread does not hold opens the page that
 *   holds it, found through a small JSON lookup that is the same for everyone;
 * - on every page, staff see how many comments wait on the moderation desk, with a link to it.
 *   Other pages than a post's ask the reader's JSON only in a browser that was seen to be staff's
 *   (a flag in localStorage), so readers' visits to the home page cost no request. */
(function () {
  "use strict";
  var area = document.getElementById("comments");
  var form = document.getElementById("commentform");
  var deskLink = document.getElementById("desk-link");
  var STAFF = "pnyx:staff";

  /* The reader's JSON (``discussion:mine``): null when the server says no. */
  function getMine(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; });
  }

  function showDesk(mine) {
    try {
      if (mine && mine.desk) localStorage.setItem(STAFF, "1"); else localStorage.removeItem(STAFF);
    } catch (e) { /* storage disabled */ }
    if (!deskLink) return;
    deskLink.hidden = !(mine && mine.desk);
    if (!mine || !mine.desk) return;
    var link = deskLink.querySelector("a");
    link.textContent = link.dataset.template.replace("%(count)s", mine.desk.pending);
    link.href = mine.desk.url;
  }

  if (!area) {
    var staffSeen = false;
    try { staffSeen = !!localStorage.getItem(STAFF); } catch (e) { /* storage disabled */ }
    if (deskLink && staffSeen) {
      getMine(deskLink.dataset.mine)
        .then(function (mine) { if (mine) showDesk(mine); })
        .catch(function () { /* offline: no count */ });
    }
    return;
  }
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

  // Who is commenting, from the reader's JSON: a signed-in reader sees "You are commenting using your
  // <provider> account" instead of the guest fields; a guest sees the fields and the login icons.
  function showAccount(account) {
    var guest = document.getElementById("identity-guest");
    var block = document.getElementById("identity-account");
    var icons = document.getElementById("login-icons");
    guest.hidden = !!account;
    block.hidden = !account;
    ["author", "email"].forEach(function (name) { field(name).required = !account; });
    if (icons.parentNode !== guest) guest.insertBefore(icons, guest.querySelector(".comment-form-author"));
    Array.prototype.forEach.call(icons.querySelectorAll("button.login-icon"), function (b) { b.hidden = false; });
    var note = document.getElementById("identity-user");
    note.hidden = !account;
    if (!account) return;
    // A local account is this site's own: "You are commenting as Edie."; a provider's is named.
    var local = account.provider_id === "account";
    note.textContent = note.dataset.template.replace("%(name)s", account.name);
    note.hidden = !local;
    var using = document.getElementById("identity-using");
    using.textContent = local ? "" : using.dataset.template.replace("%(provider)s", account.provider);
    var avatar = document.getElementById("identity-avatar");
    avatar.hidden = !account.avatar;
    if (account.avatar) { avatar.src = account.avatar; avatar.alt = account.name; }
    block.dataset.provider = account.provider_id;
  }

  // A full-page sign-in took the draft to the server; it comes back once, with what it replied to.
  function restoreDraft(draft) {
    if (!draft) return;
    var body = field("comment");
    body.value = draft.text;
    body.dispatchEvent(new Event("input"));
    var link = draft.parent && area.querySelector('a.comment-reply-link[data-reply-to="' + draft.parent + '"]');
    if (link) link.click();
  }

  function refreshAccount() {
    return getMine(area.dataset.mine)
      .then(function (mine) { if (mine) showAccount(mine.account); return mine; });
  }

  function loginStatus(kind, provider) {
    var status = document.getElementById("login-status");
    status.hidden = !kind;
    if (kind) status.textContent = status.dataset[kind].replace("%(provider)s", provider || "");
  }

  // Login icons: the sign-in runs in a popup, so this page, the text and the reply target stay. The
  // popup's last page says how it went (signin.js); if the link to it is lost (a provider's page can
  // cut it), closing the popup or coming back to this tab asks the server instead.
  function setupSignIn() {
    var waiting = null;
    var tried = false;

    function finish(outcome) {
      if (!waiting) return;
      var provider = waiting.provider;
      clearInterval(waiting.timer);
      waiting = null;
      refreshAccount().then(function (mine) {
        var signedIn = mine && mine.account;
        var said = outcome === "closed" || outcome === "cancelled" ? outcome : "failed";
        loginStatus(signedIn ? null : said, provider);
      });
    }

    form.addEventListener("click", function (event) {
      var button = event.target.closest("button.login-icon");
      if (!button) return;
      event.preventDefault();
      var popup = window.open("", "pnyx-signin", "popup,width=600,height=720");
      if (!popup) {
        loginStatus("blocked");
        form.requestSubmit(button);
        return;
      }
      var start = document.createElement("form");
      start.method = "post";
      start.action = button.formAction;
      start.target = "pnyx-signin";
      [["login", button.value], ["popup", "1"]].forEach(function (pair) {
        var input = document.createElement("input");
        input.type = "hidden"; input.name = pair[0]; input.value = pair[1];
        start.appendChild(input);
      });
      document.body.appendChild(start);
      start.submit();
      start.remove();
      if (waiting) clearInterval(waiting.timer);
      // The popup's last page tells this one how it went, then closes itself: its message can arrive
      // after this page first sees it closed. "Closed" is said only if no message came by the next look.
      var seenClosed = false;
      waiting = {
        provider: button.dataset.name,
        timer: setInterval(function () {
          if (!popup.closed) return;
          if (seenClosed) finish("closed");
          seenClosed = true;
        }, 500),
      };
      tried = true;
      loginStatus("connecting", button.dataset.name);
    });

    window.addEventListener("message", function (event) {
      if (event.origin !== location.origin || !event.data || event.data.pnyx !== "signin") return;
      finish(event.data.outcome);
    });
    window.addEventListener("focus", function () {
      if (!tried) return;
      refreshAccount().then(function (mine) { if (mine && mine.account) loginStatus(null); });
    });

    document.getElementById("identity-logout").addEventListener("click", function (event) {
      fetch(event.target.dataset.url, { method: "POST", credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(refreshAccount)
        .catch(function () { /* offline: still signed in, and the block says so */ });
    });

    document.getElementById("identity-change").addEventListener("click", function () {
      var block = document.getElementById("identity-account");
      var icons = document.getElementById("login-icons");
      block.appendChild(icons);
      Array.prototype.forEach.call(icons.querySelectorAll("button.login-icon"), function (button) {
        button.hidden = button.value === block.dataset.provider;
      });
    });
  }

  if (form) setupSignIn();

  getMine(area.dataset.mine)
    .then(function (mine) {
      if (!mine) return;
      showDesk(mine);
      mine.pending.forEach(place);
      (mine.own || []).forEach(ownControls);
      var who = mine.identity;
      if (form && who && who.kind === "guest") {
        // A returning guest's details, in the fields still empty; never the one the reader is in, where
        // what they start typing would land after what was filled in.
        ["author", "email", "url"].forEach(function (name, i) {
          var input = field(name);
          var value = [who.name, who.email, who.url][i];
          if (input && !input.value && value && input !== document.activeElement) input.value = value;
        });
      }
      if (form) {
        showAccount(mine.account || null);
        restoreDraft(mine.draft || null);
      }
    })
    .catch(function () { /* offline or refused: the page is still complete */ })
    .then(reveal);

  // The reader's own comments, while they may still change them: Edit and Delete, shown to them alone
  // (the page is the same for everyone; which comments are theirs comes from the reader's JSON).
  function ownControls(own) {
    var article = document.getElementById("comment-" + own.id);
    if (!article) return;
    var words = area.dataset;
    var controls = document.createElement("p");
    controls.className = "own-controls";
    var edit = makeButton(words.wordEdit, "own-edit");
    var remove = makeButton(words.wordDelete, "own-delete");
    controls.append(edit, " ", remove);
    article.appendChild(controls);
    var wait = own.until - Date.now();
    if (wait > 0 && wait < 2147483647) setTimeout(function () { controls.remove(); }, wait);

    edit.addEventListener("click", function () {
      var content = article.querySelector(".comment-content");
      var editor = document.createElement("form");
      editor.className = "own-editor";
      var text = document.createElement("textarea");
      text.name = "comment"; text.rows = 6; text.value = own.body; text.required = true;
      var error = document.createElement("p");
      error.className = "comment-error"; error.hidden = true; error.setAttribute("role", "alert");
      var save = makeButton(words.wordSave, "own-save");
      save.type = "submit";
      var cancel = makeButton(words.wordCancel, "own-cancel");
      editor.append(text, error, save, " ", cancel);
      content.hidden = true; controls.hidden = true;
      article.insertBefore(editor, controls);
      text.focus();
      function close() { editor.remove(); content.hidden = false; controls.hidden = false; }
      cancel.addEventListener("click", close);
      editor.addEventListener("submit", function (event) {
        event.preventDefault();
        save.disabled = true;
        post(own.edit, { comment: text.value }).then(function (answer) {
          save.disabled = false;
          if (answer.error) { error.textContent = answer.error; error.hidden = false; return; }
          own.body = text.value.trim();
          content.innerHTML = answer.html;
          if (answer.awaiting && !article.querySelector(".comment-awaiting-moderation")) {
            var note = document.createElement("p");
            note.className = "comment-awaiting-moderation";
            note.textContent = words.wordAwaiting;
            article.querySelector(".comment-meta").appendChild(note);
          }
          close();
        });
      });
    });

    remove.addEventListener("click", function () {
      if (!window.confirm(words.wordConfirm)) return;
      post(own.delete, {}).then(function (answer) {
        if (answer.error) { window.alert(answer.error); return; }
        var item = document.getElementById("li-comment-" + own.id);
        if (item.querySelector(":scope > ol.children > li")) {
          var placeholder = document.createElement("div");
          placeholder.className = "comment-body";
          placeholder.innerHTML = '<p class="comment-removed"></p>';
          placeholder.firstChild.textContent = words.wordDeleted;
          item.classList.add("removed");
          item.replaceChild(placeholder, article);
        } else {
          item.remove();
        }
      });
    });
  }

  function makeButton(label, className) {
    var b = document.createElement("button");
    b.type = "button"; b.className = className; b.textContent = label;
    return b;
  }

  function post(url, fields) {
    var data = new FormData();
    Object.keys(fields).forEach(function (name) { data.append(name, fields[name]); });
    return fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .catch(function () { return { error: area.dataset.wordOffline || "Not saved: the site could not be reached." }; });
  }

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
