"use strict";
// Filters the findings list by account, rule and minimum severity. No
// network, no storage: the page works from a file or an email attachment.
(function () {
  var account = document.getElementById("f-account");
  var rule = document.getElementById("f-rule");
  var severity = document.getElementById("f-severity");
  var accepted = document.getElementById("f-accepted");
  var count = document.getElementById("f-count");
  var items = document.querySelectorAll(".finding");
  function apply() {
    var shown = 0;
    var minRank = Number(severity.value);
    for (var i = 0; i < items.length; i++) {
      var d = items[i].dataset;
      var ok = (account.value === "" || d.account === account.value) &&
        (rule.value === "" || d.rule === rule.value) &&
        Number(d.rank) >= minRank &&
        (accepted.checked || d.suppressed !== "true");
      items[i].hidden = !ok;
      if (ok) { shown++; }
    }
    count.textContent = "Showing " + shown + " of " + items.length + " findings";
  }
  [account, rule, severity, accepted].forEach(function (el) { el.addEventListener("change", apply); });
  apply();
})();
