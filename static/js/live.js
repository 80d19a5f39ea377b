// Live regions: an element with data-live-url is refreshed from that URL (a server-rendered fragment) every
// data-live-interval milliseconds. The swap is skipped while someone types in it, and polling stops once the
// fragment says it is final (data-live-final) or the tab is hidden for a while.
const FINAL_STATES = /^(delivered|cancelled|settled)-/;

function isBeingEdited(region) {
  // An open "Cancel…" or "Reject…" panel, or a focused field, means someone is in the middle of something.
  if (region.querySelector("details[open]")) return true;
  const active = document.activeElement;
  return Boolean(active && region.contains(active) && active.matches("textarea, input, select"));
}

function start(region) {
  const interval = Number(region.dataset.liveInterval || 5000);
  let last = null;
  const tick = async () => {
    if (document.hidden || isBeingEdited(region)) {
      window.setTimeout(tick, interval);
      return;
    }
    try {
      const response = await fetch(region.dataset.liveUrl, { headers: { "X-Requested-With": "fetch" } });
      if (response.ok) {
        const html = await response.text();
        if (html !== last) {
          last = html;
          region.innerHTML = html;
          region.dispatchEvent(new CustomEvent("live:updated", { bubbles: true }));
        }
        const state = region.querySelector("[data-live-state]")?.dataset.liveState || "";
        if (FINAL_STATES.test(state)) return;
      } else if (response.status === 403 || response.status === 404) {
        return; // logged out or gone: stop asking
      }
    } catch (error) {
      console.warn("live refresh failed", error);
    }
    window.setTimeout(tick, interval);
  };
  if (!("liveFinal" in region.dataset)) window.setTimeout(tick, interval);
}

document.querySelectorAll("[data-live-url]").forEach(start);
