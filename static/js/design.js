// Translations: Django's JavaScript catalogue (/i18n/js/, loaded by base.html) defines window.gettext.
const gettext = window.gettext || ((text) => text);
const interpolate = window.interpolate || ((text, values) => text.replace(/%\((\w+)\)s/g, (_, name) => values[name]));
// The design page: mount the 3D viewer, draw report highlights, filter colours by material, and wait for
// an analysis that is still running (the page reloads itself when it is done).
import { createViewer } from "./viewer.js";

const POLL_MS = 2000;

async function mountViewer() {
  const container = document.getElementById("viewer");
  if (!container) return;
  const viewer = createViewer(container);
  if (!viewer) return;
  try {
    await viewer.loadUrl(container.dataset.src);
  } catch (error) {
    container.dataset.state = "error";
    viewer.setNote(gettext("The 3D preview could not be loaded."));
    console.error(error);
    return;
  }
  const data = document.getElementById(container.dataset.highlights || "");
  if (data) {
    try {
      viewer.setHighlights(JSON.parse(data.textContent), true);
    } catch (error) {
      console.warn("highlights skipped", error);
    }
  }
  document.querySelector("[data-viewer-reset]")?.addEventListener("click", () => viewer.fit());
}

function filterColours() {
  const material = document.getElementById("id_material");
  const colour = document.getElementById("id_colour");
  if (!material || !colour) return;
  const apply = () => {
    for (const option of colour.options) {
      if (!option.value) continue;
      const fits = (option.dataset.materials || "").split(" ").includes(material.value);
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) colour.value = "";
    }
  };
  material.addEventListener("change", apply);
  apply();
}

function waitForAnalysis() {
  const box = document.getElementById("version-status");
  if (!box) return;
  const text = document.getElementById("version-status-text");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.pollUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const version = await response.json();
        if (version.status !== box.dataset.status) {
          if (version.status === "ready" || version.status === "failed") {
            window.location.reload();
            return;
          }
          box.dataset.status = version.status;
          text.textContent = interpolate(gettext("Version %(number)s is %(status)s."), { number: version.number, status: version.status }, true);
        }
      }
    } catch (error) {
      console.warn("status poll failed", error);
    }
    window.setTimeout(poll, POLL_MS);
  };
  window.setTimeout(poll, POLL_MS);
}

mountViewer();
filterColours();
waitForAnalysis();
