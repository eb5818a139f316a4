import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isPublicAddress, outboundUrlReason, sendOutbound } from '../../src/lib/outbound-url.js';

describe('isPublicAddress', () => {
  it.each([
    ['8.8.8.8', 'public IPv4'],
    ['11.0.0.1', 'public IPv4'],
    ['100.63.255.255', 'just below CGNAT'],
    ['100.128.0.0', 'just above CGNAT'],
    ['172.15.255.255', 'just below 172.16/12'],
    ['172.32.0.0', 'just above 172.16/12'],
    ['198.17.255.255', 'just below benchmarking'],
    ['198.20.0.0', 'just above benchmarking'],
    ['2001:4860:4860::8888', 'public IPv6'],
    ['2606:4700:4700::1111', 'public IPv6'],
    ['::ffff:8.8.8.8', 'IPv4-mapped public'],
    ['64:ff9b::808:808', 'NAT64 to a public IPv4'],
  ])('%s is public (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', '"this network" 0/8'],
    ['10.1.2.3', 'private 10/8'],
    ['172.16.0.1', 'private 172.16/12'],
    ['172.31.255.254', 'private 172.16/12'],
    ['192.168.1.1', 'private 192.168/16'],
    ['100.64.0.1', 'CGNAT 100.64/10'],
    ['100.127.255.254', 'CGNAT 100.64/10'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['192.0.0.8', 'IETF protocol assignments 192.0.0/24'],
    ['192.0.2.1', 'documentation TEST-NET-1'],
    ['198.51.100.1', 'documentation TEST-NET-2'],
    ['203.0.113.1', 'documentation TEST-NET-3'],
    ['192.88.99.1', '6to4 relay anycast'],
    ['198.18.0.1', 'benchmarking 198.18/15'],
    ['198.19.255.254', 'benchmarking 198.18/15'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved 240/4'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'IPv6 unspecified'],
    ['::1', 'IPv6 loopback'],
    ['::7f00:1', 'IPv4-compatible loopback'],
    ['::127.0.0.1', 'IPv4-compatible loopback, dotted'],
    ['::a9fe:a9fe', 'IPv4-compatible link-local'],
    ['::808:808', 'IPv4-compatible (deprecated), even to a public IPv4'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['::ffff:169.254.169.254', 'IPv4-mapped link-local'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped link-local, hex'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:100.64.0.1', 'IPv4-mapped CGNAT'],
    ['::ffff:0:7f00:1', 'IPv4-translated loopback'],
    ['64:ff9b::7f00:1', 'NAT64 to loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 to link-local'],
    ['64:ff9b::a00:1', 'NAT64 to private'],
    ['64:ff9b:1::a00:1', 'local-use NAT64'],
    ['2002:7f00:1::', '6to4 embedding loopback'],
    ['2002:a9fe:a9fe::1', '6to4 embedding link-local'],
    ['2002:808:808::1', '6to4 (relayed through whoever answers)'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'Teredo embedding 127.0.0.1'],
    ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'Teredo'],
    ['2001:db8::1', 'documentation 2001:db8::/32'],
    ['3fff::1', 'documentation 3fff::/20'],
    ['2001:2::1', 'benchmarking 2001:2::/48'],
    ['2001:10::1', 'ORCHID'],
    ['100::1', 'discard-only 100::/64'],
    ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['fec0::1', 'site-local (deprecated)'],
    ['ff02::1', 'multicast'],
    ['ff0e::1', 'multicast, global scope'],
    ['not an address', 'not an address'],
  ])('%s is not public (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(false);
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
    // IPv6 forms embedding a private IPv4 address, as URLs write them (the URL parser normalises them)
    expect(outboundUrlReason('http://[::127.0.0.1]/x', false)).toBe(
      '[::7f00:1] is a private or loopback address',
    );
    expect(outboundUrlReason('http://[::ffff:169.254.169.254]/x', false)).toBe(
      '[::ffff:a9fe:a9fe] is a private or loopback address',
    );
    expect(outboundUrlReason('http://[64:ff9b::a9fe:a9fe]/x', false)).toBe(
      '[64:ff9b::a9fe:a9fe] is a private or loopback address',
    );
    expect(outboundUrlReason('http://0x7f.1/x', false)).toBe('127.0.0.1 is a private or loopback address');
    expect(outboundUrlReason('http://127.0.0.1:8080/x', true)).toBeUndefined();
    expect(outboundUrlReason('https://example.com/hook', false)).toBeUndefined();
  });
});

describe('sendOutbound', () => {
  it('refuses an IPv4-compatible or -mapped IPv6 literal of a private address without connecting', async () => {
    const request = { body: '{}', contentType: 'application/json', timeoutMs: 2000, allowPrivate: false };
    for (const url of [
      'http://[::127.0.0.1]:9/x',
      'http://[::7f00:1]:9/x',
      'http://[::ffff:169.254.169.254]/x',
    ])
      await expect(sendOutbound(url, request)).rejects.toThrow(/is a private or loopback address/);
  });

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
