// Copied from sprout's src/runtime/cdk by `npm run sync:runtime`: edit it there, not in a project.

/**
 * The part every inline custom resource handler shares (CommonJS source, prepended to each
 * handler's own): `respond(url, body)` sends the result to CloudFormation.
 */
export const RESPOND_SOURCE = `
const https = require('node:https');

// The response URL is a presigned S3 URL: an empty content-type keeps its signature valid.
const respond = (url, body) => new Promise((resolve, reject) => {
  const request = https.request(url, { method: 'PUT',
    headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', resolve); });
  request.on('error', reject);
  request.end(body);
});
`;
