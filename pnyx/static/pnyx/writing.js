// The writer's desk (/write/): the live preview beside the editor, and autosave that never loses a
// paragraph: to this browser's localStorage at every keystroke (a crash while offline loses nothing) and
// to the server as a separate draft every few seconds and on leaving the page. Without this file the
// Save and Preview buttons still work.
(function () {
  "use strict";
  var form = document.getElementById("writing-form");
  if (!form) return;
  var FIELDS = ["title", "slug", "standfirst", "body", "tags"];
  var SAVE_EVERY_MS = 5000;
  var PREVIEW_AFTER_MS = 400;
  var postId = form.dataset.post;
  var storageKey = "pnyx-writing:" + (postId || "new");
  var updatedMs = Number(form.dataset.updated || 0) * 1000;
  var preview = document.getElementById("writing-preview-body");
  var status = document.getElementById("writing-autosave-status");
  var banner = document.getElementById("writing-restore");
  var deciding = false; // while a restore is offered, nothing is saved over the text it would restore

  function current() {
    var fields = {};
    FIELDS.forEach(function (name) {
      if (form.elements[name]) fields[name] = form.elements[name].value;
    });
    return fields;
  }
  function same(a, b) {
    return FIELDS.every(function (name) { return (a[name] || "") === (b[name] || ""); });
  }
  function payload(extra) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    if (postId) data.append("post", postId);
    Object.keys(extra).forEach(function (name) { data.append(name, extra[name]); });
    return data;
  }
  function readLocal() {
    try { return JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (e) { return null; }
  }
  function writeLocal(fields) {
    try { localStorage.setItem(storageKey, JSON.stringify({ fields: fields, savedAt: Date.now() })); } catch (e) { /* full or off */ }
  }
  function forgetLocal(key) {
    try { localStorage.removeItem(key || storageKey); } catch (e) { /* off */ }
  }

  // The live preview, rendered by the site's own renderer.
  var previewTimer = null;
  var previewed = null;
  function refreshPreview() {
    var body = form.elements.body.value;
    if (body === previewed) return;
    previewed = body;
    fetch(form.dataset.previewUrl, {
      method: "POST", body: payload({ body: body, body_format: form.dataset.bodyFormat }),
      credentials: "same-origin", headers: { Accept: "application/json" },
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (data && form.elements.body.value === body) preview.innerHTML = data.html;
    }).catch(function () { previewed = null; });
  }

  // Autosave.
  var lastSent = JSON.stringify(current());
  function say(text) { if (status) status.textContent = text; }
  function saveToServer(leaving) {
    if (deciding) return;
    var fields = current();
    var text = JSON.stringify(fields);
    if (text === lastSent) return;
    var data = payload(fields);
    if (leaving && navigator.sendBeacon && navigator.sendBeacon(form.dataset.autosaveUrl, data)) {
      lastSent = text;
      return;
    }
    fetch(form.dataset.autosaveUrl, { method: "POST", body: data, credentials: "same-origin", keepalive: !!leaving })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        lastSent = text;
        say("Draft saved at " + new Date().toLocaleTimeString() + ".");
      })
      .catch(function () { say("Not saved to the server (offline?): kept in this browser."); });
  }

  form.addEventListener("input", function (event) {
    if (deciding) return;
    writeLocal(current());
    if (event.target === form.elements.body) {
      clearTimeout(previewTimer);
      previewTimer = setTimeout(refreshPreview, PREVIEW_AFTER_MS);
    }
  });
  form.addEventListener("submit", function () { deciding = true; }); // Save sends the text itself
  setInterval(function () { saveToServer(false); }, SAVE_EVERY_MS);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") saveToServer(true);
  });
  window.addEventListener("pagehide", function () { saveToServer(true); });
  // The preview button is for browsers without this file; here the preview follows the typing.
  var previewButton = form.querySelector(".writing-preview-button");
  if (previewButton) previewButton.hidden = true;

  // On opening: the newest unsaved text, from the server or this browser, newer than the post, is offered.
  if (form.dataset.forgetNew) forgetLocal("pnyx-writing:new");
  var candidates = [];
  var serverScript = document.getElementById("writing-draft");
  var server = serverScript ? JSON.parse(serverScript.textContent) : null;
  if (server) candidates.push({ fields: server, savedAt: Date.parse(server.saved_at), where: "server" });
  var local = readLocal();
  if (local && local.fields) candidates.push({ fields: local.fields, savedAt: local.savedAt, where: "local" });
  var here = current();
  candidates = candidates.filter(function (c) { return c.savedAt > updatedMs && !same(c.fields, here); });
  candidates.sort(function (a, b) { return b.savedAt - a.savedAt; });
  if (local && !candidates.some(function (c) { return c.where === "local"; })) forgetLocal();
  var offered = candidates[0];
  if (offered && banner) {
    deciding = true;
    var time = document.getElementById("writing-restore-time");
    time.textContent = new Date(offered.savedAt).toLocaleString();
    banner.hidden = false;
    document.getElementById("writing-restore-yes").addEventListener("click", function () {
      FIELDS.forEach(function (name) {
        if (form.elements[name] && typeof offered.fields[name] === "string") form.elements[name].value = offered.fields[name];
      });
      deciding = false;
      banner.hidden = true;
      writeLocal(current());
      lastSent = null; // the restored text goes to the server at the next tick
      refreshPreview();
      form.elements.body.focus();
    });
    document.getElementById("writing-restore-no").addEventListener("click", function () {
      deciding = false;
      banner.hidden = true;
      forgetLocal();
      fetch(form.dataset.discardUrl, { method: "POST", body: payload({}), credentials: "same-origin" });
      lastSent = JSON.stringify(current());
    });
  }
})();
