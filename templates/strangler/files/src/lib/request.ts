import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * The request path as the facade's route table sees it (`/orders/42`), rebuilt from the resource
 * that matched (`/orders/{proxy+}`) and its `proxy` path parameter. Unlike `event.path`, it never
 * carries a custom domain's base path (`/api/shop/orders/42` when the API is mapped under
 * `api/shop`), so the service routes the same way on every domain. A trailing slash is dropped.
 */
export function requestPath(event: Pick<APIGatewayProxyEvent, 'resource' | 'path' | 'pathParameters'>): string {
  const resource = event.resource ?? event.path;
  const path = resource.replace('{proxy+}', event.pathParameters?.proxy ?? '');
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/**
 * The request body as text. The facade treats every media type as binary (so the legacy backend
 * gets uploads byte for byte), which makes API Gateway hand Lambda every body base64-encoded.
 */
export function bodyText(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): string | null {
  if (event.body === null || event.body === undefined) return null;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}
