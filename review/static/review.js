// Keyboard shortcuts for the blind rating page. The page works without
// them: every control is a plain form field.
(function () {
  "use strict";
  var form = document.querySelector("form[data-method]");
  if (!form) { return; }
  var method = form.getAttribute("data-method");
  var sets = Array.prototype.slice.call(form.querySelectorAll("fieldset.candidate"));
  var current = 0;

  function mark() {
    sets.forEach(function (f, i) { f.classList.toggle("current", i === current && method !== "choice"); });
  }
  function pick(name, value) {
    var input = form.querySelector('input[name="' + name + '"][value="' + value + '"]');
    if (!input) { return false; }
    input.checked = true;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }
  function scoreCurrent(value) {
    var f = sets[current];
    if (!f || !pick("score_" + f.getAttribute("data-label"), value)) { return; }
    current = Math.min(current + 1, sets.length - 1);
    mark();
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey || (t && (t.tagName === "TEXTAREA" || (t.tagName === "INPUT" && t.type === "text")))) { return; }
    var k = e.key.toLowerCase();
    if (k === "enter") { e.preventDefault(); if (form.reportValidity()) { form.submit(); } return; }
    if (k === "s") { var skip = document.getElementById("skip"); if (skip) { window.location = skip.href; } return; }
    if (method === "choice") {
      if (k === "a" || k === "b") { pick("chosen", k.toUpperCase()); }
      if (k === "t") { pick("chosen", "tie"); }
    } else if (method === "likert" && k >= "1" && k <= "5") {
      scoreCurrent(k);
    } else if (method === "thumbs" && (k === "u" || k === "d")) {
      scoreCurrent(k === "u" ? "1" : "0");
    } else {
      return;
    }
    e.preventDefault();
  });
  mark();
})();
