// Translations: Django's JavaScript catalogue (/i18n/js/, loaded by base.html) defines window.gettext.
const gettext = window.gettext || ((text) => text);
const interpolate = window.interpolate || ((text, values) => text.replace(/%\((\w+)\)s/g, (_, name) => values[name]));
// Upload with a progress bar: the form posts to the API (session login + CSRF header) through XHR, whose
// upload events give the progress; without JavaScript the same form posts to the page itself.
const form = document.getElementById("upload-form");

function showError(message) {
  const box = document.getElementById("upload-error");
  box.textContent = message;
  box.hidden = false;
  box.focus?.();
}

function setBusy(busy) {
  document.getElementById("upload-button").disabled = busy;
  document.getElementById("upload-progress").hidden = !busy;
}

if (form && window.FormData && window.XMLHttpRequest) {
  form.addEventListener("submit", (event) => {
    const file = form.querySelector('input[type="file"]');
    if (!file.files.length) return; // let the server say what is missing
    event.preventDefault();
    document.getElementById("upload-error").hidden = true;
    const bar = document.getElementById("upload-progress-bar");
    const label = document.getElementById("upload-progress-text");
    const data = new FormData(form);
    data.delete("csrfmiddlewaretoken");
    const request = new XMLHttpRequest();
    request.open("POST", form.dataset.apiUrl);
    request.setRequestHeader("X-CSRFToken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", (progress) => {
      if (!progress.lengthComputable) return;
      const percent = Math.round((progress.loaded / progress.total) * 100);
      bar.value = percent;
      bar.textContent = `${percent} %`;
      label.textContent = percent < 100 ? `${percent} %` : gettext("Stored; starting the check…");
    });
    request.addEventListener("load", () => {
      let body = {};
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = { detail: interpolate(gettext("The server answered %(status)s."), { status: request.status }, true) };
      }
      if (request.status === 200 || request.status === 201) {
        window.location.assign(`/designs/${body.id}/`);
        return;
      }
      setBusy(false);
      showError(body.detail || interpolate(gettext("The upload failed (%(status)s)."), { status: request.status }, true));
    });
    request.addEventListener("error", () => {
      setBusy(false);
      showError(gettext("The connection broke during the upload. Please try again."));
    });
    setBusy(true);
    bar.value = 0;
    request.send(data);
  });
}
