// The stance map: "Play" steps through the dates on which statements were
// made (it follows the "Next statement" link every 1.5 s until the last, or
// until pressed again).
(function () {
  "use strict";
  var timer = null;

  function view() { return document.getElementById("map-view"); }

  function step() {
    var next = view() && view().querySelector("a[rel=next]");
    if (!next) { stop(); return; }
    next.click();
  }

  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    var button = view() && view().querySelector("[data-play]");
    if (button) { button.textContent = "▶ Play"; button.setAttribute("aria-pressed", "false"); }
  }

  function ready() {
    var root = view();
    if (!root) return;
    var play = root.querySelector("[data-play]");
    if (play) {
      play.hidden = false;
      play.setAttribute("aria-pressed", timer ? "true" : "false");
      play.textContent = timer ? "❚❚ Pause" : "▶ Play";
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : null;
    if (!target) return;
    var play = target.closest("[data-play]");
    if (play) {
      if (timer) { stop(); return; }
      timer = setInterval(step, 1500);
      play.textContent = "❚❚ Pause";
      play.setAttribute("aria-pressed", "true");
      step();
      return;
    }
  });
  document.addEventListener("DOMContentLoaded", ready);
  document.addEventListener("htmx:afterSettle", ready);
})();
