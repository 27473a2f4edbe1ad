// Shortlist enhancements; every page works without them.
// - "Add to shortlist" posts in the background and says so, instead of leaving the page.
// - "Copy link" copies the share link; "Print" prints the referral sheet.
(function () {
  "use strict";

  document.querySelectorAll("form[data-shortlist-add]").forEach(function (form) {
    var status = form.querySelector("[data-shortlist-status]");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      if (!window.fetch) return;  // the form posts as usual
      event.preventDefault();
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin"
      })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (result) {
          status.textContent = result.data.message + " ";
          var link = document.createElement("a");
          link.href = form.dataset.shortlistUrl || "/shortlist/";
          link.textContent = (form.dataset.viewLabel || "View shortlist") + " (" + result.data.count + ")";
          status.appendChild(link);
          button.disabled = result.ok;
        })
        .catch(function () { form.submit(); });
    });
  });

  var copy = document.querySelector("[data-copy-link]");
  var url = document.querySelector("[data-share-url]");
  if (copy && url && navigator.clipboard) {
    var copyStatus = document.querySelector("[data-copy-status]");
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(url.value).then(
        function () { copyStatus.textContent = copy.dataset.done || "Link copied."; },
        function () { url.select(); }
      );
    });
  }

  var print = document.querySelector("[data-print]");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
})();
