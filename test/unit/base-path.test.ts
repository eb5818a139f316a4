import { describe, expect, it } from 'vitest';
import { basePathOf, withoutBasePath } from '../../src/http/base-path.js';

describe('PUBLIC_BASE_URL paths', () => {
  it.each([
    ['https://calls.example.com', ''],
    ['https://calls.example.com/', ''],
    ['https://calls.example.com/sb', '/sb'],
    ['https://calls.example.com/sb/', '/sb'],
    ['https://calls.example.com/a/b/', '/a/b'],
    ['not a url', ''],
  ])('takes the path of %s as "%s"', (url, path) => {
    expect(basePathOf(url)).toBe(path);
  });

  it.each([
    ['/sb/telephony/twilio/voice', '/telephony/twilio/voice'],
    ['/sb/telephony/twilio/gather?s=1', '/telephony/twilio/gather?s=1'],
    ['/sb', '/'],
    ['/sb?x=1', '/?x=1'],
    ['/telephony/twilio/voice', '/telephony/twilio/voice'],
    ['/sbx/telephony', '/sbx/telephony'],
  ])('serves %s as %s', (url, routed) => {
    expect(withoutBasePath(url, '/sb')).toBe(routed);
  });

  it('leaves every URL alone without a base path', () => {
    expect(withoutBasePath('/v2/group/list', '')).toBe('/v2/group/list');
  });
});
