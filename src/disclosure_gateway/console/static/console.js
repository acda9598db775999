// The console works without this file; it only adds keyboard conveniences.
// Review screen: "m" chooses Match, "n" chooses Not a match, then focus moves to the note.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)) return;
    var choice = { m: "d-match", n: "d-no" }[event.key];
    if (!choice) return;
    var radio = document.getElementById(choice);
    var note = document.getElementById("note");
    if (!radio || !note) return;
    radio.checked = true;
    note.focus();
    event.preventDefault();
  });
  // Move focus to the page's main region after a post/redirect, so screen readers start at the result.
  var flash = document.querySelector(".flash");
  if (flash) {
    var main = document.getElementById("main");
    if (main) main.focus();
  }
})();
