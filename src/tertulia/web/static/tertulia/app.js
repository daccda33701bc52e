// Behaviour for server-rendered pages. No inline scripts: the Content-Security-Policy forbids them.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const message = form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
