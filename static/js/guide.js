// The guide's first question: "No" or "I am not sure" shows the crisis lines (988, 911) at once,
// above the question, before anything is sent. Without JavaScript they open the next page.
(function () {
  "use strict";
  var box = document.querySelector("[data-crisis-reveal]");
  if (!box) return;
  document.querySelectorAll("input[name=safe]").forEach(function (input) {
    input.addEventListener("change", function () {
      if (input.checked) box.hidden = input.value !== "no" && input.value !== "unsure";
    });
  });
})();
