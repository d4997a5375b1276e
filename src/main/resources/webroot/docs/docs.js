// The gateway's OpenAPI document in Swagger UI. The URL is relative: the page works wherever the
// API is mounted (/docs/ on the gateway's own server, /exec/docs/ under an application's router).
// "Try it out" sends requests to this same origin; with keys, use Authorize with an API key.
window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    url: '../openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
  });
});
