// CloudFront Function (runtime cloudfront-js-2.0), viewer request, on the distribution's default
// behaviour: every path that is neither /api/* nor /ui/assets/*. CloudFront runs this code as it
// is, with SPA_FALLBACK set from the spaFallback option (infra/stacks/proxied-frontend-stack.ts);
// test/edge-functions.test.ts runs it the same way.
//
//   /, /index.html, /ui      -> 302 to /ui/ (the UI lives under /ui/; a query string is dropped)
//   /ui/<path without a dot> -> /ui/index.html, so a client-side route such as /ui/items/42 loads
//                               the app, which routes in the browser. This is the SPA fallback,
//                               done per request: distribution-wide error pages would also turn
//                               the API's 403 and 404 into index.html. Without SPA_FALLBACK only
//                               paths ending in / get their index.html (/ui/ -> /ui/index.html).
//   /ui/<file.ext>           -> unchanged: index.html, config.json, anything else in the bucket
//   anything else            -> 404 here, without asking the bucket (which would answer 403)
var BASE = '/ui/';
var SPA_FALLBACK = true;

function handler(event) {
  var request = event.request;
  var uri = request.uri;

  if (uri === '/' || uri === '/index.html' || uri === BASE.slice(0, -1)) {
    return {
      statusCode: 302,
      statusDescription: 'Found',
      headers: { location: { value: BASE }, 'cache-control': { value: 'no-cache' } },
    };
  }
  if (uri.indexOf(BASE) !== 0) {
    return { statusCode: 404, statusDescription: 'Not Found', headers: { 'cache-control': { value: 'no-cache' } } };
  }
  var last = uri.slice(uri.lastIndexOf('/') + 1);
  if (SPA_FALLBACK && last.indexOf('.') === -1) request.uri = BASE + 'index.html';
  else if (last === '') request.uri = uri + 'index.html';
  return request;
}
