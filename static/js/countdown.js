// Offers count down to their expiry: <time data-countdown datetime="ISO"> shows the time left, every second.
function text(seconds) {
  if (seconds <= 0) return "expired";
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const pad = (value) => String(value).padStart(2, "0");
  return hours ? `${hours} h ${pad(minutes)} min ${pad(rest)} s` : `${minutes} min ${pad(rest)} s`;
}

function update() {
  const now = Date.now();
  document.querySelectorAll("time[data-countdown]").forEach((element) => {
    const seconds = Math.round((Date.parse(element.getAttribute("datetime")) - now) / 1000);
    element.textContent = text(seconds);
    element.classList.toggle("tone-bad", seconds < 15 * 60);
  });
}

update();
window.setInterval(update, 1000);
