// Doorstep's only script, and only an enhancement: a "Use my location"
// button beside the postcode on the search question, for browsers that can
// say where they are. Without it, or without JavaScript, the postcode field
// does the same job.
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
