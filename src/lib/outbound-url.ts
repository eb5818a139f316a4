import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * HTTP requests to URLs that users configure (call-action posts, webhooks). A user must not be
 * able to make the server reach its own network: private, loopback, link-local and other
 * non-public addresses are refused unless explicitly allowed (tests, private deployments). The
 * check runs on the address actually connected to (a custom DNS lookup), so a name that resolves
 * to a public address when checked and a private one when used cannot slip through.
 */

export class OutboundUrlError extends Error {
  override name = 'OutboundUrlError';
}

/** Where IPv6 unicast addresses are allocated from (RFC 4291); everything outside is special. */
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');
/** NAT64's well-known prefix (RFC 6052): the last 32 bits are the IPv4 address reached. */
const NAT64 = ipaddr.parseCIDR('64:ff9b::/96');

/** The IPv4 address an IPv6 address reaches through a translator: IPv4-mapped or NAT64. */
function translatedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  if (address.isIPv4MappedAddress()) return address.toIPv4Address();
  if (!address.match(NAT64)) return undefined;
  const bytes = address.toByteArray().slice(12);
  return new ipaddr.IPv4(bytes);
}

/**
 * True for a globally routable unicast address. ipaddr.js names every special-purpose IPv4 range
 * (private, loopback, link-local, CGNAT, benchmarking, documentation, multicast, broadcast,
 * reserved ...); an IPv6 address must be global unicast (2000::/3) outside ipaddr.js's special
 * ranges, which refuses the IPv4-compatible form (`::7f00:1`), 6to4, Teredo, local NAT64 and
 * multicast outright; an IPv4-mapped or NAT64 address is judged by the IPv4 address it reaches.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return parsed.range() === 'unicast';
  const ipv6 = parsed as ipaddr.IPv6;
  const ipv4 = translatedIPv4(ipv6);
  if (ipv4) return ipv4.range() === 'unicast';
  return ipv6.match(GLOBAL_UNICAST) && ipv6.range() === 'unicast';
}

/** Why a URL may not be called, judged without DNS; undefined when it may be tried. */
export function outboundUrlReason(raw: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `${raw} is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${raw} is not an http or https URL`;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && net.isIP(host) !== 0 && !isPublicAddress(host))
    return `${url.host} is a private or loopback address`;
  if (!allowPrivate && host.toLowerCase() === 'localhost')
    return `${url.host} is a private or loopback address`;
  return undefined;
}

/** A DNS lookup for http.request that fails on any non-public address. */
function publicOnlyLookup(): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as dns.LookupAddress[];
      const refused = list.find((entry) => !isPublicAddress(entry.address));
      if (refused || list.length === 0)
        return callback(new OutboundUrlError(`${hostname} resolves to a private or loopback address`), '', 0);
      if ((options as { all?: boolean }).all)
        return (callback as never as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const [first] = list as [dns.LookupAddress];
      return callback(null, first.address, first.family);
    });
  };
}

export interface OutboundRequest {
  method?: string;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  allowPrivate: boolean;
}

export interface OutboundResponse {
  status: number;
  /** the first 4 KB of the body, for logs */
  body: string;
}

const MAX_BODY_BYTES = 4096;

/** Sends one request; resolves with any HTTP status, rejects on refusal, network error or timeout. */
export function sendOutbound(raw: string, request: OutboundRequest): Promise<OutboundResponse> {
  const reason = outboundUrlReason(raw, request.allowPrivate);
  if (reason) return Promise.reject(new OutboundUrlError(reason));
  const url = new URL(raw);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: request.method ?? 'POST',
        headers: {
          'content-type': request.contentType,
          'content-length': Buffer.byteLength(request.body),
          'user-agent': 'Switchboard',
          ...request.headers,
        },
        timeout: request.timeoutMs,
        ...(request.allowPrivate ? {} : { lookup: publicOnlyLookup() }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_BODY_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY_BYTES),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${request.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(request.body);
  });
}

/**
 * Why a URL may not be configured as a target, with DNS: a name that resolves to a private or
 * loopback address now is refused at once. A name that does not resolve is accepted (it may
 * resolve later); sendOutbound checks again, on the address it connects to.
 */
export async function checkOutboundUrl(raw: string, allowPrivate: boolean): Promise<string | undefined> {
  const reason = outboundUrlReason(raw, allowPrivate);
  if (reason || allowPrivate) return reason;
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) !== 0) return undefined;
  try {
    const addresses = await dns.promises.lookup(host, { all: true });
    if (addresses.some((entry) => !isPublicAddress(entry.address)))
      return `${host} resolves to a private or loopback address`;
  } catch {
    return undefined;
  }
  return undefined;
}
