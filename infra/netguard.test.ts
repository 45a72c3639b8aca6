import { describe, expect, it } from 'vitest';
import { guardedLookup, literalHostRefusal, nonPublicRange, outboundPolicyFromEnv, PUBLIC_ONLY, refusal } from './netguard';

describe('address classification', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'shared (CGNAT)'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'benchmarking'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fd00::1', 'unique-local'],
    ['fc12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 link-local'],
    ['2002:7f00:1::', '6to4 loopback'],
    ['::127.0.0.1', 'reserved'],
    ['2001:db8::1', 'documentation'],
    ['[::1]', 'loopback'],
  ])('%s is %s', (address, range) => {
    expect(nonPublicRange(address)).toBe(range);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('%s is public', (address) => {
    expect(nonPublicRange(address)).toBeNull();
  });

  it('refuses text that is not an address', () => {
    expect(nonPublicRange('localhost')).toBe('not an IP address');
    expect(nonPublicRange('1.2.3')).toBe('not an IP address');
  });
});

describe('outbound policy', () => {
  it('allows only what the operator lists: hosts, addresses and CIDR ranges', () => {
    const policy = outboundPolicyFromEnv({ PROVIDER_ALLOWED_HOSTS: 'Ollama.LAN, 10.1.0.0/16, ::1' }, 'PROVIDER');
    expect(refusal(policy, 'ollama.lan', '192.168.5.5')).toBeNull();
    expect(refusal(policy, 'gpu', '10.1.9.9')).toBeNull();
    expect(refusal(policy, 'gpu', '10.2.0.1')).toBe('gpu is 10.2.0.1, a private address');
    expect(refusal(policy, '::1', '::1')).toBeNull();
    expect(refusal(policy, '127.0.0.1', '127.0.0.1')).toBe('127.0.0.1 is a loopback address');
    expect(refusal(outboundPolicyFromEnv({ PROVIDER_ALLOW_PRIVATE: 'true' }, 'PROVIDER'), 'x', '127.0.0.1')).toBeNull();
    expect(() => outboundPolicyFromEnv({ PROVIDER_ALLOWED_HOSTS: '10.0.0.0/40' }, 'PROVIDER')).toThrow(/PROVIDER_ALLOWED_HOSTS/);
  });

  it('judges literal hosts in any spelling the URL parser accepts, and localhost names', () => {
    for (const url of [
      'http://127.1/',
      'http://2130706433/',
      'http://0x7f.0.0.1/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::]/',
      'http://LOCALHOST./',
      'http://a.localhost/',
    ]) {
      expect(literalHostRefusal(PUBLIC_ONLY, new URL(url).hostname), url).not.toBeNull();
    }
    expect(literalHostRefusal(PUBLIC_ONLY, 'api.openai.com')).toBeNull();
    expect(literalHostRefusal(PUBLIC_ONLY, '8.8.8.8')).toBeNull();
  });

  it('refuses a name that resolves to loopback at connect time', async () => {
    const lookup = guardedLookup(PUBLIC_ONLY);
    const err = await new Promise<Error | null>((resolve) => lookup('localhost', { all: false }, (e) => resolve(e)));
    expect(err?.message).toMatch(/localhost is (127\.0\.0\.1|::1), a loopback address/);
  });
});
