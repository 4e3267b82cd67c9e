// Doorstep's only script, and only enhancements; every page works without it.
// 1. A "Use my location" button beside the postcode on the search question,
//    for browsers that can say where they are; the postcode field does the
//    same job.
// 2. In the signposting workspace, the A key adds the result whose name has
//    the focus to the shortlist (its "Add" button does the same).
(function () {
  "use strict";
  var form = document.querySelector("form.question");
  if (!form || !navigator.geolocation) {
    return;
  }
  var postcode = form.querySelector("#postcode");
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button-secondary";
  button.textContent = "Use my location";
  var status = document.createElement("p");
  status.className = "hint";
  status.setAttribute("role", "status");
  function put(name, value) {
    var input = form.querySelector("input[name=" + name + "]");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value.toFixed(5);
  }
  button.addEventListener("click", function () {
    status.textContent = "Finding where you are\u2026";
    navigator.geolocation.getCurrentPosition(
      function (position) {
        put("lat", position.coords.latitude);
        put("lon", position.coords.longitude);
        postcode.value = "";
        form.submit();
      },
      function () {
        status.textContent = "Your location could not be found. Type a postcode instead.";
      },
      { timeout: 10000 }
    );
  });
  postcode.parentNode.appendChild(button);
  postcode.parentNode.appendChild(status);
})();

(function () {
  "use strict";
  var results = document.querySelectorAll(".need-results .result");
  if (results.length === 0) {
    return;
  }
  var heading = document.getElementById("results-title");
  var tip = document.createElement("p");
  tip.className = "hint";
  tip.textContent = "Tip: with a result's name focused, press A to add it to the shortlist.";
  heading.parentNode.insertBefore(tip, heading.nextSibling);
  // Only while a result's own link has the focus, so typing elsewhere is never taken.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "a" && event.key !== "A") {
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var focused = document.activeElement;
    var result = focused && focused.tagName === "A" ? focused.closest(".result") : null;
    var button = result ? result.querySelector("form button") : null;
    if (button) {
      event.preventDefault();
      button.click();
    }
  });
})();
