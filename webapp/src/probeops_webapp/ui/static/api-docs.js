// Start Swagger UI on /api/docs from a file, not an inline script, so that
// a Content-Security-Policy of script-src 'self' lets it run.
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  if (typeof SwaggerUIBundle === "undefined") {
    document.getElementById("swagger-ui-missing").hidden = false;
    return;
  }
  var config = {url: container.dataset.specUrl, dom_id: "#swagger-ui-container"};
  Object.assign(config, JSON.parse(container.dataset.config));
  window.ui = SwaggerUIBundle(config);
});
