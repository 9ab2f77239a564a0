// The counter kiosk, with JavaScript: a tap records the answer in the tablet's storage at once, shows
// the thank-you screen, resets, and sends what is waiting whenever the network lets it. Without
// JavaScript the same buttons post the form and the server shows the thank-you page.
(() => {
  const root = document.querySelector("[data-kiosk]");
  if (!root) return;
  const endpoint = root.getAttribute("data-endpoint");
  const site = root.getAttribute("data-site") || undefined;
  const store = `vigie-kiosk:${endpoint}`;
  const form = root.querySelector("form");
  const thanks = root.querySelector("[data-thanks]");
  const pending = root.querySelector("[data-pending]");
  const resetMs = Number(root.getAttribute("data-reset-ms")) || 4000;

  const read = () => {
    try {
      return JSON.parse(localStorage.getItem(store) || "[]");
    } catch {
      return [];
    }
  };
  const write = (list) => localStorage.setItem(store, JSON.stringify(list.slice(-5000)));
  const randomId = () => {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };
  const showPending = () => {
    const n = read().length;
    pending.textContent = n ? `${n} avis en attente d'envoi` : "";
  };

  let sending = false;
  async function flush() {
    const queue = read();
    if (sending || queue.length === 0) return;
    sending = true;
    try {
      const batch = queue.slice(0, 200);
      const response = await fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ site, answers: batch }),
      });
      // Kept on a network error, a server error or the rate limit: sent again later. Anything else
      // (recorded, already recorded, refused for good) leaves the tablet.
      if (response.ok || (response.status >= 400 && response.status < 500 && response.status !== 429)) {
        const done = new Set(batch.map((a) => a.id));
        write(read().filter((a) => !done.has(a.id)));
      }
    } catch {
      // Offline: the answers wait.
    } finally {
      sending = false;
      showPending();
    }
  }

  form.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (!button?.name) return;
    event.preventDefault();
    const answers = {};
    answers[button.name] = button.value;
    write([...read(), { id: randomId(), at: new Date().toISOString(), answers }]);
    form.hidden = true;
    thanks.hidden = false;
    thanks.focus();
    showPending();
    flush();
    setTimeout(() => {
      thanks.hidden = true;
      form.hidden = false;
    }, resetMs);
  });

  showPending();
  flush();
  setInterval(flush, 30000);
  window.addEventListener("online", flush);
})();
