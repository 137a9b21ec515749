/* The report page: warn before leaving it with text that is not saved.
 *
 * Every form marked data-unsaved-warning (the unit's inputs, the reviewer's comments) is
 * watched: its fields include those in the table cells that name it by form="…". When any
 * field differs from what the page loaded with (or the server sent the page back after a
 * refused save, data-dirty="true"), leaving the page asks first. Submitting the form itself
 * (保存全部, 提交, 退回 …) does not ask. Without JavaScript the page works the same, without
 * the warning. No inline script: the content security policy forbids it.
 */
(function () {
  "use strict";

  function valueOf(field) {
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked ? "1" : "";
    }
    if (field.tagName === "SELECT" && field.multiple) {
      return Array.from(field.selectedOptions, function (o) { return o.value; }).join("\n");
    }
    return field.value;
  }

  function watched(form) {
    return Array.from(form.elements).filter(function (field) {
      return field.name && field.type !== "hidden" && field.type !== "submit" &&
        field.type !== "button" && !field.disabled;
    });
  }

  function watch(form) {
    var loaded = new Map();
    watched(form).forEach(function (field) { loaded.set(field, valueOf(field)); });
    var state = { leaving: false, refused: form.dataset.dirty === "true" };

    state.changed = function () {
      if (state.refused) {
        return true;
      }
      return watched(form).some(function (field) {
        return loaded.has(field) ? loaded.get(field) !== valueOf(field) : valueOf(field) !== "";
      });
    };

    function mark() {
      form.classList.toggle("has-unsaved", state.changed());
    }
    document.addEventListener("input", mark);
    document.addEventListener("change", mark);
    // Saving or submitting this form leaves the page on purpose: no question then.
    form.addEventListener("submit", function () { state.leaving = true; });
    mark();
    return state;
  }

  function start() {
    var states = Array.from(document.querySelectorAll("form[data-unsaved-warning]"), watch);
    if (!states.length) {
      return;
    }
    window.addEventListener("beforeunload", function (event) {
      var unsaved = states.some(function (s) { return !s.leaving && s.changed(); });
      if (unsaved) {
        event.preventDefault();
        // Older browsers show the question only when returnValue is set.
        event.returnValue = "";
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
