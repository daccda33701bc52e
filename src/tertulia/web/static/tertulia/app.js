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
