// CloudFront Function (runtime cloudfront-js-2.0), viewer request, on the /api/* behaviour.
// CloudFront runs this file as it is (infra/stacks/proxied-frontend-stack.ts reads it);
// test/edge-functions.test.ts runs it too.
//
// 1. Strips /api: the browser asks for /api/items, the API's resource is /items, and the origin
//    path puts the stage in front, so API Gateway receives /<stage>/items.
// 2. Passes the viewer's address in x-viewer-ip, overwriting whatever the client sent. API
//    Gateway only sees CloudFront's address as the source IP; the API's flag targeting
//    (src/lib/flag-client.ts) uses this header instead, so a caller keeps its variant.
var PREFIX = '/api';

function handler(event) {
  var request = event.request;
  if (request.uri.indexOf(PREFIX + '/') === 0) request.uri = request.uri.slice(PREFIX.length);
  request.headers['x-viewer-ip'] = { value: event.viewer.ip };
  return request;
}
