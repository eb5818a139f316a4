import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isPublicAddress, outboundUrlReason, sendOutbound } from '../../src/lib/outbound-url.js';

describe('isPublicAddress', () => {
  it.each([
    ['8.8.8.8', true],
    ['2001:4860:4860::8888', true],
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['::1', false],
    ['::ffff:127.0.0.1', false],
    ['fe80::1', false],
    ['fc00::1', false],
    ['not an address', false],
  ])('%s -> %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});

describe('outboundUrlReason', () => {
  it('refuses other schemes, bad URLs and private literals unless allowed', () => {
    expect(outboundUrlReason('ftp://example.com/x', false)).toBe(
      'ftp://example.com/x is not an http or https URL',
    );
    expect(outboundUrlReason('nope', false)).toBe('nope is not a URL');
    expect(outboundUrlReason('http://127.0.0.1:8080/x', false)).toBe(
      '127.0.0.1:8080 is a private or loopback address',
    );
    expect(outboundUrlReason('http://[::1]/x', false)).toBe('[::1] is a private or loopback address');
    expect(outboundUrlReason('http://localhost/x', false)).toBe('localhost is a private or loopback address');
    expect(outboundUrlReason('http://127.0.0.1:8080/x', true)).toBeUndefined();
    expect(outboundUrlReason('https://example.com/hook', false)).toBeUndefined();
  });
});

describe('sendOutbound', () => {
  it('posts to an allowed local target and refuses it when private targets are not allowed', async () => {
    const bodies: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(201).end('created');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`;
    try {
      const request = { body: '{"a":1}', contentType: 'application/json', timeoutMs: 2000 };
      expect(await sendOutbound(url, { ...request, allowPrivate: true })).toEqual({
        status: 201,
        body: 'created',
      });
      await expect(sendOutbound(url, { ...request, allowPrivate: false })).rejects.toThrow(
        /is a private or loopback address/,
      );
      expect(bodies).toEqual(['{"a":1}']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
