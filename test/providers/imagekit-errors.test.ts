import { describe, expect, it } from 'vitest';
import { IMAGEKIT_HELP, imagekitErrorBody, toImageKitError } from '../../src-main/protocol/imagekit/errors.js';

describe('toImageKitError', () => {
  const body = (message: string) => imagekitErrorBody(message);
  it.each([
    [400, 'bad_request', false],
    [401, 'unauthorized', false],
    [403, 'forbidden', false],
    [404, 'not_found', false],
    [409, 'conflict', false],
    [422, 'bad_request', false],
    [429, 'rate_limited', true],
    [500, 'server_error', true],
    [502, 'server_error', true],
    [503, 'server_error', true],
    [504, 'server_error', true],
    [207, 'partial_success', false],
    [418, 'protocol', true],
  ])('%i → %s', (status, code, retryable) => {
    const err = toImageKitError(status, body('Something happened.'), {});
    expect(err).toMatchObject({ code, retryable, message: 'Something happened.' });
    expect(err.details).toMatchObject({ status, help: IMAGEKIT_HELP });
  });

  it('keeps reason and missingFileIds', () => {
    const err = toImageKitError(404, imagekitErrorBody('The requested file(s) does not exist.', { missingFileIds: ['a', 'b'], reason: 'SOURCE_FILE_MISSING' }));
    expect(err.details).toEqual({ status: 404, help: IMAGEKIT_HELP, reason: 'SOURCE_FILE_MISSING', missingFileIds: 'a,b' });
  });

  it('copies X-RateLimit-* on 429 from Node-style or fetch-style headers', () => {
    const expected = { rateLimitLimit: 10, rateLimitReset: 1500, rateLimitInterval: 1000, retryAfterMs: 1500 };
    const node = toImageKitError(429, body('Too many requests'), { 'x-ratelimit-limit': '10', 'X-RateLimit-Reset': '1500', 'x-ratelimit-interval': ['1000'] });
    expect(node.details).toMatchObject(expected);
    const fetchHeaders = new Headers({ 'X-RateLimit-Limit': '10', 'X-RateLimit-Reset': '1500', 'X-RateLimit-Interval': '1000' });
    expect(toImageKitError(429, body('Too many requests'), fetchHeaders).details).toMatchObject(expected);
    expect(toImageKitError(429, body('x'), { 'retry-after': '2', 'x-ratelimit-reset': '100' }).details?.retryAfterMs).toBe(2000);
  });

  it('handles a string body as help and a missing message', () => {
    const err = toImageKitError(502, 'Bad gateway from proxy');
    expect(err.message).toBe('ImageKit answered HTTP 502.');
    expect(err.details).toEqual({ status: 502, help: 'Bad gateway from proxy' });
    expect(toImageKitError(500, null).details).toEqual({ status: 500 });
  });

  it('builds the standard body', () => {
    expect(imagekitErrorBody('Your account cannot be authenticated.')).toEqual({
      message: 'Your account cannot be authenticated.',
      help: 'For support kindly contact us at support@imagekit.io .',
    });
  });
});
