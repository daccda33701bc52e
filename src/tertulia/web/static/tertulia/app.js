// Behaviour for server-rendered pages. No inline scripts: the Content-Security-Policy forbids them.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const message = form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// Live mentions: the stream page listens to Server-Sent Events and offers to show new ones.
(function () {
  const banner = document.getElementById("live-banner");
  if (!banner || !window.EventSource) return;
  const url = banner.dataset.liveUrl + "?last_id=" + encodeURIComponent(banner.dataset.lastId || "0");
  const source = new EventSource(url);
  source.addEventListener("mentions", (event) => {
    const data = JSON.parse(event.data);
    const link = document.getElementById("live-refresh");
    link.textContent = banner.dataset.label.replace("%(n)s", data.new);
    banner.classList.remove("d-none");
  });
})();

// Query editor: keep the coloured copy behind the textarea in step with what is typed.
// The server sends colours for the text it validated; until they arrive (or if the text
// changed since), the copy shows the plain text so the caret never drifts.
(function () {
  const editor = document.querySelector(".query-editor-wrap .query-editor");
  if (!editor) return;
  const copy = () => document.getElementById("query-highlight");
  const plain = () => {
    const pre = copy();
    if (pre && pre.dataset.for !== editor.value) {
      pre.textContent = editor.value + " ";
      pre.dataset.for = editor.value;
    }
  };
  const follow = () => { const pre = copy(); if (pre) pre.scrollTop = editor.scrollTop; };
  editor.addEventListener("input", plain);
  editor.addEventListener("scroll", follow);
  document.body.addEventListener("htmx:oobAfterSwap", () => { plain(); follow(); });
  document.body.addEventListener("htmx:afterSwap", () => { plain(); follow(); });
})();
