// A cell opened in place (htmx puts it in #detail and its address in the
// location bar) closes in place too: the details go, the address returns to
// the matrix's. Without JavaScript the link simply opens the matrix.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-close-detail]");
    var detail = document.getElementById("detail");
    if (!link || !detail || !detail.contains(link)) return;
    event.preventDefault();
    detail.replaceChildren();
    history.pushState({}, "", link.getAttribute("href"));
    var heading = document.querySelector("#matrix h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  });
})();
