// Shows the fields that fit the chosen kind of event and hides the others.
// Without JavaScript every field stays visible, and the server ignores those of other kinds.
// Warns as soon as a kind is chosen that counts for nothing toward the commitment (the server
// asks the same before saving, so the warning holds without JavaScript too).
(function () {
  "use strict";
  var form = document.getElementById("event-form");
  if (!form) { return; }
  var kind = form.querySelector("[name=kind]");
  var warning = document.getElementById("kind-warning");
  function update() {
    form.querySelectorAll(".js-kind-fields").forEach(function (group) {
      var kinds = (group.getAttribute("data-kinds") || "").split(" ");
      group.hidden = kinds.indexOf(kind.value) === -1;
    });
    if (warning) {
      var counted = (warning.getAttribute("data-counted-kinds") || "").split(" ");
      var before = warning.getAttribute("data-kind-before");
      warning.hidden = counted.indexOf(kind.value) !== -1 || kind.value === before;
    }
  }
  kind.addEventListener("change", update);
  update();
})();
