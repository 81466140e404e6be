// Letter progress (staff/decisions/progress.html): refresh the bar from the JSON endpoint every two
// seconds while letters are pending. The page works without this file; the "Uppdatera" link reloads it.
// When every letter is done or the number of failed or interrupted letters changes, the page is reloaded
// once so the server renders the lists and the retry button.
(function () {
  "use strict";
  var box = document.querySelector(".letter-progress[data-progress-url]");
  if (!box || box.getAttribute("data-pending") === "0" || !window.fetch) {
    return;
  }
  var bar = box.querySelector("progress");
  var text = box.querySelector(".progress-text");
  var failed = parseInt(box.getAttribute("data-failed"), 10) || 0;
  var interrupted = parseInt(box.getAttribute("data-interrupted"), 10) || 0;
  var url = box.getAttribute("data-progress-url");
  var delay = 2000;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        bar.max = data.total;
        bar.value = data.done;
        bar.textContent = data.text;
        if (text.textContent !== data.text) {
          text.textContent = data.text;
        }
        if (data.finished || data.failed !== failed || data.interrupted !== interrupted) {
          window.location.reload();
          return;
        }
        if (data.pending > 0) {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        // The server is busy or gone: back off; the Uppdatera link still works.
        delay = Math.min(delay * 2, 30000);
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
})();
