// Knowledge-base suggestions beside the reply composer: loaded for the customer's last
// message, refined by what the agent searches, inserted as a link or as text at the cursor.
// No inline scripts (CSP): the page carries data-* attributes only.
(function () {
  "use strict";
  const list = document.getElementById("kb-suggestions");
  if (!list) return;
  const search = document.getElementById("kb-query");
  let timer = null;
  let asked = 0;

  function load(query) {
    const url = new URL(list.dataset.url, window.location.href);
    if (query) url.searchParams.set("q", query);
    const ticket = ++asked;
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then((r) => (r.ok ? r.text() : ""))
      .then((html) => {
        if (ticket !== asked) return; // a newer search answered first
        // The fragment is rendered (and escaped) by the server.
        list.innerHTML = html;
      })
      .catch(() => {});
  }

  function insert(text) {
    const box = document.getElementById("reply-text");
    if (!box || !text) return;
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? box.value.length;
    const before = box.value.slice(0, start);
    const after = box.value.slice(end);
    const glue = before && !/\s$/.test(before) ? " " : "";
    box.value = before + glue + text + after;
    const caret = (before + glue + text).length;
    box.focus();
    box.setSelectionRange(caret, caret);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  list.addEventListener("click", (event) => {
    const button = event.target.closest(".kb-insert");
    if (!button) return;
    event.preventDefault();
    insert(button.dataset.insert || "");
  });

  if (search) {
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => load(search.value.trim()), 300);
    });
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
  }
  load("");
})();
