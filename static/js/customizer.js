// Translations: Django's JavaScript catalogue (/i18n/js/, loaded by base.html) defines window.gettext.
const gettext = window.gettext || ((text) => text);
const interpolate = window.interpolate || ((text, values) => text.replace(/%\((\w+)\)s/g, (_, name) => values[name]));
// The template page: every change of the settings asks the API for a new GLB (debounced, the previous
// request aborted) and shows it in the viewer; refusals (a value out of range) are shown next to the form.
import { createViewer } from "./viewer.js";

const DEBOUNCE_MS = 350;
const form = document.getElementById("template-form");
const container = document.getElementById("template-viewer");
const status = document.getElementById("preview-status");

function parameters() {
  const values = {};
  for (const element of form.elements) {
    if (!element.name || !element.id.startsWith("parameter-")) continue;
    values[element.name] = element.type === "checkbox" ? element.checked : element.value;
  }
  return values;
}

if (form && container) {
  const viewer = createViewer(container);
  const token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  let timer = 0;
  let inFlight = null;

  const refresh = async () => {
    inFlight?.abort();
    inFlight = new AbortController();
    status.textContent = gettext("Updating the preview…");
    container.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        signal: inFlight.signal,
        headers: { "Content-Type": "application/json", "X-CSRFToken": token, Accept: "model/gltf-binary, application/json" },
        body: JSON.stringify({ parameters: parameters(), material: form.elements.material?.value || "" }),
      });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        status.textContent = body.detail || interpolate(gettext("The preview failed (%(status)s)."), { status: response.status }, true);
        status.classList.add("tone-bad");
        return;
      }
      const buffer = await response.arrayBuffer();
      if (viewer) await viewer.loadBuffer(buffer);
      status.textContent = gettext("Preview up to date.");
      status.classList.remove("tone-bad");
    } catch (error) {
      if (error.name !== "AbortError") {
        status.textContent = gettext("The preview could not be shown.");
        console.error(error);
      }
    } finally {
      container.removeAttribute("aria-busy");
    }
  };

  const schedule = (event) => {
    // The design's name does not change its shape.
    if (event.target.id === "template-name") return;
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, DEBOUNCE_MS);
  };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  refresh();
}
