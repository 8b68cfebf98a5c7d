// Select2's inline search box (the admin's autocomplete fields that take
// several values) has no label of its own, so screen readers announce an
// unnamed text field: give it the name of the field it searches. A
// single-value field's combobox is named by its current value alone, which
// is nothing while it is empty ("Answers": none yet): name it by its label too.
(function () {
  "use strict";

  function label() {
    document.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (input) {
      var container = input.closest(".select2-container");
      var select = container && container.previousElementSibling;
      var named = select && select.id && document.querySelector('label[for="' + select.id + '"]');
      var text = named ? named.textContent.trim().replace(/:$/, "") : "Search";
      input.setAttribute("aria-label", text);
    });
    document.querySelectorAll(".select2-selection--single[role=combobox]:not([data-labelled])").forEach(function (box) {
      var container = box.closest(".select2-container");
      var select = container && container.previousElementSibling;
      var named = select && select.id && document.querySelector('label[for="' + select.id + '"]');
      box.setAttribute("data-labelled", "");
      if (!named) {
        return;
      }
      named.id = named.id || select.id + "-label";
      var shown = box.getAttribute("aria-labelledby");
      box.setAttribute("aria-labelledby", shown ? named.id + " " + shown : named.id);
      // The value inside (a read-only textbox) names itself by the label and its text.
      var rendered = box.querySelector(".select2-selection__rendered[id]");
      if (rendered) {
        rendered.setAttribute("aria-labelledby", named.id + " " + rendered.id);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    label();
    new MutationObserver(label).observe(document.body, { childList: true, subtree: true });
  });
})();
