/* The moderation desk, with JavaScript: actions apply without a reload, and the keyboard works.
 *   j / k  next / previous comment        x  tick it (for a bulk action)
 *   a      approve                         s  spam          d  trash
 *   r      reply                           e  edit          u  undo the last action
 * a, s and d act on the ticked comments, or on the current one when none is ticked. Undo puts the
 * comments of the last action back to the status they had before it (the server's "restore").
 * Every action is the same POST the page's forms send without JavaScript, asked for as JSON. */
(function () {
  "use strict";
  var desk = document.getElementById("desk");
  var form = document.getElementById("desk-form");
  if (!desk || !form) return;
  try { localStorage.setItem("pnyx:staff", "1"); } catch (e) { /* storage disabled */ }
  var tab = desk.dataset.status;
  var statusBox = document.getElementById("desk-status");
  var current = null;
  var last = null;

  function items() {
    return Array.prototype.filter.call(desk.querySelectorAll(".desk-item"), function (li) { return !li.hidden; });
  }

  function select(li) {
    if (current) current.classList.remove("current");
    current = li || null;
    if (current) {
      current.classList.add("current");
      current.scrollIntoView({ block: "nearest" });
    }
  }

  function move(step) {
    var list = items();
    var i = list.indexOf(current);
    select(i < 0 ? list[0] : list[Math.min(list.length - 1, Math.max(0, i + step))]);
  }

  function ticked() {
    return Array.prototype.map.call(form.querySelectorAll("input[name=ids]:checked"), function (box) { return box.value; });
  }

  function say(text, isError) {
    statusBox.textContent = "";
    var line = document.createElement("p");
    line.className = "message " + (isError ? "error" : "success");
    line.textContent = text;
    statusBox.appendChild(line);
  }

  function send(act, ids, extra) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.elements.namedItem("csrfmiddlewaretoken").value);
    data.append("act", act);
    ids.forEach(function (id) { data.append("ids", id); });
    Object.keys(extra || {}).forEach(function (name) { data.append(name, extra[name]); });
    return fetch(desk.dataset.act, {
      method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" }
    })
      .then(function (r) { return r.json(); })
      .then(apply)
      .catch(function () { say(desk.dataset.offline || "Not saved: the server could not be reached.", true); });
  }

  function apply(outcome) {
    if (outcome.error) { say(outcome.error, true); return; }
    Object.keys(outcome.counts || {}).forEach(function (status) {
      var count = desk.querySelector('[data-count="' + status + '"]');
      if (count) count.textContent = outcome.counts[status];
    });
    var moved = outcome.moved || [];
    if (moved.length) {
      var before = items();
      var at = before.indexOf(current);
      moved.forEach(function (m) {
        var li = document.getElementById("desk-" + m.id);
        if (!li) return;
        li.dataset.status = m.status;
        li.hidden = m.status !== tab;
        var box = li.querySelector("input[name=ids]");
        if (box) box.checked = false;
      });
      if (!current || current.hidden) {
        var after = items();
        select(after[Math.min(Math.max(at, 0), after.length - 1)]);
      }
      last = moved.map(function (m) { return String(m.id); });
    }
    if (outcome.edited) {
      var row = document.getElementById("desk-" + outcome.edited.id);
      row.querySelector(".desk-body").innerHTML = outcome.edited.html;
      row.querySelector(".desk-edit").open = false;
    }
    if (outcome.replied) {
      Array.prototype.forEach.call(desk.querySelectorAll(".desk-reply[open]"), function (d) {
        d.open = false;
        d.querySelector("textarea").value = "";
      });
    }
    say(outcome.message + (moved.length ? " " + (desk.dataset.undoHint || "(u: undo)") : ""));
  }

  function act(name, id) {
    if (name === "edit" || name === "reply") {
      var extra = {};
      var field = (name === "edit" ? "body-" : "reply-") + id;
      extra[field] = form.elements.namedItem(field).value;
      return send(name + ":" + id, [], extra);
    }
    return send(name, [id]);
  }

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || button.name !== "act") return;
    event.preventDefault();
    var parts = button.value.split(":");
    if (parts[1]) {
      select(document.getElementById("desk-" + parts[1]));
      act(parts[0], parts[1]);
    } else {
      var ids = ticked();
      if (ids.length) send(parts[0], ids); else say(desk.dataset.noneTicked || "Tick at least one comment.", true);
    }
  });

  desk.addEventListener("click", function (event) {
    var li = event.target.closest(".desk-item");
    if (li && li !== current) select(li);
  });

  function open(kind) {
    if (!current) return;
    var details = current.querySelector(".desk-" + kind);
    details.open = true;
    details.querySelector("textarea").focus();
  }

  var KEYS = {
    j: function () { move(1); },
    k: function () { move(-1); },
    x: function () {
      if (current) { var box = current.querySelector("input[name=ids]"); box.checked = !box.checked; }
    },
    r: function () { open("reply"); },
    e: function () { open("edit"); },
    u: function () { if (last) send("restore", last); }
  };
  [["a", "approve"], ["s", "spam"], ["d", "trash"]].forEach(function (pair) {
    KEYS[pair[0]] = function () {
      var ids = ticked();
      if (!ids.length && current) ids = [current.dataset.id];
      if (ids.length) send(pair[1], ids);
    };
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var handler = KEYS[event.key];
    if (!handler) return;
    event.preventDefault();
    handler();
  });

  move(0);
})();
