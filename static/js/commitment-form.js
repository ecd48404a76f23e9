// Shows the fields that fit the chosen kind of target and hides the others.
// Without JavaScript every field stays visible, and the server ignores those of other kinds.
(function () {
  "use strict";
  var form = document.getElementById("commitment-form");
  if (!form) { return; }
  var kind = form.querySelector("[name=target_kind]");
  function update() {
    form.querySelectorAll(".js-target-fields").forEach(function (group) {
      var kinds = (group.getAttribute("data-kinds") || "").split(" ");
      group.hidden = kinds.indexOf(kind.value) === -1;
    });
  }
  kind.addEventListener("change", update);
  update();
})();
