// The report's only script, pinned by its hash in the page's Content-Security-Policy. Everything
// it adds is a convenience: without it the filter and copy buttons stay hidden and the page reads
// the same.

// Show only the requirements with the chosen status.
var filters = document.getElementById("filters");
if (filters) {
  filters.hidden = false;
  filters.querySelectorAll("button[data-filter]").forEach(function (button) {
    button.addEventListener("click", function () {
      var wanted = button.getAttribute("data-filter");
      document.querySelectorAll("#matrix tbody tr[data-status]").forEach(function (row) {
        row.hidden = wanted !== "ALL" && row.getAttribute("data-status") !== wanted;
      });
      filters.querySelectorAll("button[data-filter]").forEach(function (other) {
        other.setAttribute("aria-pressed", String(other === button));
      });
    });
  });
}

// Copy a script or a command to the clipboard.
function copyText(text, button) {
  var done = function () {
    var label = button.textContent;
    button.textContent = "Copied";
    setTimeout(function () { button.textContent = label; }, 1500);
  };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
  } else {
    fallbackCopy(text);
    done();
  }
}
function fallbackCopy(text) {
  var area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  try { document.execCommand("copy"); } catch (ignored) { /* the text stays selectable on the page */ }
  document.body.removeChild(area);
}
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (source) { copyText(source.textContent, button); }
  });
});
