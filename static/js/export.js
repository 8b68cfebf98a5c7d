// "PNG image": the view's own SVG (its download address in data-png) drawn
// onto a canvas at twice its size, and saved. Without JavaScript the button
// stays hidden and the SVG link remains.
(function () {
  "use strict";
  function reveal() {
    document.querySelectorAll("[data-png]").forEach(function (b) { b.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", reveal);
  document.addEventListener("htmx:afterSettle", reveal);
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-png]");
    if (!button) return;
    var name = (button.getAttribute("data-name") || "ceasefire-positions") + ".png";
    fetch(button.getAttribute("data-png")).then(function (r) { return r.text(); }).then(function (svg) {
      var image = new Image();
      image.onload = function () {
        var canvas = document.createElement("canvas");
        canvas.width = image.width * 2;
        canvas.height = image.height * 2;
        var context = canvas.getContext("2d");
        context.fillStyle = "#ffffff";
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.scale(2, 2);
        context.drawImage(image, 0, 0);
        var link = document.createElement("a");
        link.download = name;
        link.href = canvas.toDataURL("image/png");
        document.body.appendChild(link);
        link.click();
        link.remove();
      };
      image.src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(svg)));
    });
  });
})();
