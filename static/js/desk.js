// The desk's review page: words selected in the article become the quote of
// a new statement row (the button fetches the row with htmx).
(function () {
  "use strict";
  var text = document.getElementById("article-text");
  var holder = document.getElementById("selection");
  var button = document.getElementById("add-selection");
  if (!text || !holder || !button) return;
  function update() {
    var selection = window.getSelection();
    var inside = selection && selection.rangeCount && text.contains(selection.anchorNode);
    holder.value = inside ? selection.toString().trim() : holder.value;
  }
  document.addEventListener("selectionchange", update);
  button.addEventListener("click", function () {
    if (!holder.value) {
      button.setAttribute("aria-describedby", "text-help");
    }
  });
  document.body.addEventListener("htmx:afterSwap", function () {
    holder.value = "";
  });
})();
