// Select2's inline search box (the admin's autocomplete fields that take
// several values) has no label of its own, so screen readers announce an
// unnamed text field: give it the name of the field it searches.
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
  }

  document.addEventListener("DOMContentLoaded", function () {
    label();
    new MutationObserver(label).observe(document.body, { childList: true, subtree: true });
  });
})();
