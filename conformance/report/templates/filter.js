// Show only the requirements with the chosen status. The buttons stay hidden without this script,
// and everything else reads the same with or without it.
var filters = document.getElementById("filters");
filters.hidden = false;
filters.querySelectorAll("button[data-filter]").forEach(function (button) {
  button.addEventListener("click", function () {
    var wanted = button.getAttribute("data-filter");
    document.querySelectorAll("#matrix tbody tr").forEach(function (row) {
      row.hidden = wanted !== "ALL" && row.getAttribute("data-status") !== wanted;
    });
    filters.querySelectorAll("button[data-filter]").forEach(function (other) {
      other.setAttribute("aria-pressed", String(other === button));
    });
  });
});
