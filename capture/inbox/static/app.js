// postie inbox: live list (Server-Sent Events), the HTML part's frame
// sized to its content, and a confirmation before deleting everything.
// No library, no build step.
"use strict";

(function () {
  const rows = document.getElementById("rows");
  if (rows && window.EventSource) {
    const live = document.getElementById("live");
    const count = document.getElementById("count");
    let pending = false;
    const reload = function () {
      if (pending) return;
      pending = true;
      fetch("/rows" + location.search, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          const t = document.createElement("template");
          t.innerHTML = html; // built by html/template on the server: escaped
          const fresh = t.content.getElementById("rows");
          const old = document.getElementById("rows");
          if (fresh && old) {
            old.replaceWith(fresh);
            if (count) count.textContent = fresh.dataset.total;
          }
        })
        .catch(function () {})
        .finally(function () { pending = false; });
    };
    const es = new EventSource("/api/v1/events");
    es.addEventListener("open", function () { if (live) live.hidden = false; });
    es.addEventListener("error", function () { if (live) live.hidden = true; });
    es.addEventListener("new", reload);
    es.addEventListener("delete", reload);
  }

  const frame = document.getElementById("body-frame");
  if (frame) {
    const fit = function () {
      try {
        const doc = frame.contentDocument;
        if (doc && doc.documentElement) frame.style.height = (doc.documentElement.scrollHeight + 24) + "px";
      } catch (e) { /* not same-origin: keep the default height */ }
    };
    frame.addEventListener("load", fit);
  }

  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.dataset.confirm)) e.preventDefault();
    });
  });
})();
