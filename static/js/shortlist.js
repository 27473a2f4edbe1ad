// Shortlist enhancements; every page works without them.
// - "Add to shortlist" posts in the background and says so, instead of leaving the page;
//   programs already on the visitor's shortlist say so when the page opens.
// - "Copy link" copies the share link; "Print" prints the referral sheet.
(function () {
  "use strict";

  function viewLink(form, count) {
    var link = document.createElement("a");
    link.href = form.dataset.shortlistUrl || "/shortlist/";
    link.textContent = (form.dataset.viewLabel || "View shortlist") + " (" + count + ")";
    return link;
  }

  // Result pages are cached and the same for everyone: ask which programs this visitor has
  // already added, and say so on their cards instead of offering to add them again.
  var addForms = document.querySelectorAll("form[data-shortlist-add]");
  if (addForms.length && window.fetch) {
    fetch(addForms[0].dataset.shortlistUrl || "/shortlist/", {
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !data.slugs) return;
        addForms.forEach(function (form) {
          if (data.slugs.indexOf(form.dataset.slug) < 0) return;
          var status = form.querySelector("[data-shortlist-status]");
          form.querySelector("button[type=submit]").disabled = true;
          status.textContent = (form.dataset.onLabel || "On your shortlist.") + " ";
          status.appendChild(viewLink(form, data.count));
        });
      })
      .catch(function () {});  // the buttons stay as they are
  }

  addForms.forEach(function (form) {
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
          status.appendChild(viewLink(form, result.data.count));
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
