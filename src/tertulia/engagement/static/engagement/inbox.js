// The inbox's keyboard, live updates, presence and composer. No inline scripts: the
// Content-Security-Policy forbids them, so pages only carry data-* attributes.
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function typingInField(event) {
    const t = event.target;
    return t && t.closest && t.closest("input, textarea, select, [contenteditable]");
  }

  function submit(form) {
    if (!form) return;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  // -- the list ---------------------------------------------------------------------------
  const list = document.getElementById("conversations");
  let index = -1;

  function rows() {
    return Array.from(document.querySelectorAll("#conversations .conv-row"));
  }

  function select(i) {
    const all = rows();
    if (!all.length) return;
    index = Math.max(0, Math.min(i, all.length - 1));
    all.forEach((row, n) => row.classList.toggle("conv-active", n === index));
    all[index].scrollIntoView({ block: "nearest" });
  }

  function current() {
    return rows()[index] || null;
  }

  function listKeys(event) {
    const row = current();
    switch (event.key) {
      case "j": select(index + 1); break;
      case "k": select(index - 1); break;
      case "Enter": case "o": if (row) window.location.href = row.dataset.href; break;
      case "r": if (row) window.location.href = row.dataset.href + "#composer"; break;
      case "x": {
        const box = row && row.querySelector(".conv-select");
        if (box) box.checked = !box.checked;
        break;
      }
      case "a": if (row) submit(row.querySelector("form.quick-assign")); break;
      case "c": if (row) submit(row.querySelector("form.quick-resolve")); break;
      case "v": {
        // The saved views: focus the current one (or the first); Tab and Enter from there.
        const link = document.querySelector("#saved-views a.active") ||
          document.querySelector("#saved-views a");
        if (link) link.focus();
        break;
      }
      case "f": {
        // One shared flag menu: point it at the selected row and focus it; 1–6 then Enter.
        const quick = document.getElementById("quick-flag");
        if (row && quick && row.querySelector(".conv-select")) {
          quick.querySelector("input[name=conversation]").value = row.id.replace("conv-", "");
          quick.setAttribute("hx-target", "#" + row.id);
          quick.classList.remove("d-none");
          quick.querySelector("select").focus();
        }
        break;
      }
      default: return;
    }
    event.preventDefault();
  }

  // After an htmx swap the row is new: keep the selection on it.
  document.addEventListener("htmx:afterSwap", () => { if (index >= 0) select(index); });

  // -- one conversation -------------------------------------------------------------------
  const conversation = document.getElementById("conversation");

  function conversationKeys(event) {
    switch (event.key) {
      case "r": {
        const text = document.getElementById("reply-text");
        if (text) { text.focus(); text.scrollIntoView({ block: "center" }); }
        break;
      }
      case "a": submit(document.getElementById("form-assign-me")); break;
      case "c": submit(document.getElementById("form-resolve")); break;
      case "f": {
        const confirm = document.getElementById("form-flag-confirm");
        if (confirm) submit(confirm);
        else { const menu = document.getElementById("flag-select"); if (menu) menu.focus(); }
        break;
      }
      default: {
        // 1–6 pick a flag in one keystroke.
        const menu = document.getElementById("flag-select");
        const n = parseInt(event.key, 10);
        if (!menu || isNaN(n) || n < 1 || n > menu.options.length) return;
        menu.selectedIndex = n - 1;
        submit(document.getElementById("form-flag"));
      }
    }
    event.preventDefault();
  }

  document.addEventListener("keydown", (event) => {
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    if (typingInField(event)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (list) listKeys(event);
    else if (conversation) conversationKeys(event);
  });

  // -- live: new customer messages appear without a reload ---------------------------------
  const live = document.getElementById("inbox-live");
  if (live && window.EventSource) {
    let last = live.dataset.lastItem || "0";
    const source = new EventSource(live.dataset.liveUrl + "?last_item=" + encodeURIComponent(last));
    let pending = 0;
    source.addEventListener("inbox", (event) => {
      const data = JSON.parse(event.data);
      last = String(data.last_item);
      const busy = document.querySelector("#conversations .conv-select:checked") || index > 0;
      if (!busy && list) {
        fetch(live.dataset.rowsUrl, { headers: { "X-Requested-With": "fetch" } })
          .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
          .then((html) => {
            list.innerHTML = html;
            if (window.htmx) window.htmx.process(list);
            if (index >= 0) select(index);
          })
          .catch(() => {});
        return;
      }
      pending += data.new;
      document.getElementById("inbox-live-refresh").textContent =
        live.dataset.label.replace("%(n)s", pending);
      live.classList.remove("d-none");
    });
  }

  // -- presence: who else has this conversation open, and is typing -----------------------
  const viewers = document.getElementById("viewers");
  if (viewers) {
    const text = document.getElementById("reply-text");
    let typedAt = 0;
    if (text) text.addEventListener("input", () => { typedAt = Date.now(); });
    const beat = () => {
      const body = new URLSearchParams({ typing: Date.now() - typedAt < 8000 ? "1" : "0" });
      fetch(viewers.dataset.url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
      }).then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
        .then((html) => {
          viewers.innerHTML = html;
          const now = viewers.querySelector("#viewers-list");
          const seen = viewers.dataset.lastReply || "0";
          if (now && now.dataset.lastReply && now.dataset.lastReply !== seen && seen !== "") {
            viewers.insertAdjacentHTML("beforeend",
              '<div class="alert alert-warning py-2 small" id="new-reply-warning"></div>');
            document.getElementById("new-reply-warning").textContent =
              viewers.dataset.replyWarning || "";
            viewers.dataset.lastReply = now.dataset.lastReply;
          }
        }).catch(() => {});
    };
    beat();
    window.setInterval(beat, 10000);
  }

  // -- composer: templates and a live length count ----------------------------------------
  const picker = document.getElementById("template-picker");
  const replyText = document.getElementById("reply-text");
  if (picker && replyText) {
    picker.addEventListener("change", () => {
      const option = picker.options[picker.selectedIndex];
      if (!option || !option.value) return;
      replyText.value = option.dataset.text || "";
      document.getElementById("template-key").value = option.value;
      replyText.focus();
    });
  }
  const counter = document.getElementById("reply-counter");
  if (counter && replyText) {
    const limits = { x: 280, bluesky: 300, mastodon: 500, instagram: 2200, linkedin: 1250,
      facebook: 8000, youtube: 10000 };
    const limit = limits[counter.dataset.network];
    const show = () => {
      const n = Array.from(replyText.value).length;
      counter.textContent = limit ? n + " / " + limit : String(n);
      counter.classList.toggle("text-danger", !!limit && n > limit);
    };
    replyText.addEventListener("input", show);
    show();
  }
})();
