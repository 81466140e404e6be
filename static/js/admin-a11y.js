// Accessibility fixes for Django's admin (WCAG 2.1 AA and axe best practices; issue 9 item 16).
//
// The admin's autocomplete fields (select2) show their choice in a <span role="textbox"> that has no name until
// something is chosen (axe: aria-input-field-name, WCAG 4.1.2). Name each after its field: the <label> of the
// <select> it replaces, or the select's own aria-label (inline rows, grants/admin/base.py). Loaded by
// templates/admin/base_site.html; select2 may draw its boxes after this runs, and draws new ones for added
// inline rows, hence the observer.
(function () {
  "use strict";

  function fieldName(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    var text = label ? label.textContent.trim().replace(/:$/, "") : "";
    return text || select.getAttribute("aria-label") || "";
  }

  function nameBoxes() {
    document.querySelectorAll('.select2-selection__rendered[role="textbox"]:not([aria-label])').forEach(function (box) {
      var id = (box.id || "").replace(/^select2-/, "").replace(/-container$/, "");
      var select = id ? document.getElementById(id) : null;
      var name = select ? fieldName(select) : "";
      if (name) {
        box.setAttribute("aria-label", name);
      }
    });
  }

  // Django's tabular inlines head their "original" column (the row's object) and some others with an empty
  // <th> (axe: empty-table-header). A header without text heads nothing: make it a plain cell.
  function unheadEmptyHeaders() {
    document.querySelectorAll("table thead th").forEach(function (th) {
      if (!th.textContent.trim() && !th.hasAttribute("aria-label") && !th.hasAttribute("role")) {
        th.setAttribute("role", "cell");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    unheadEmptyHeaders();
    nameBoxes();
    new MutationObserver(nameBoxes).observe(document.body, { childList: true, subtree: true });
  });
})();
