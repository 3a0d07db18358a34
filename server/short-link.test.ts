import { describe, expect, it } from 'vitest';
import { isLocal, parseRegistration } from './short-link';

describe('short link registration', () => {
  it('accepts a join link with room and token', () => {
    const link = 'https://10.0.0.5:5173/join.html#room=fabric-ab12&token=abcdefabcdefabcdef';
    expect(parseRegistration(JSON.stringify({ link }))).toBe(link);
  });

  it('refuses anything that is not a join link', () => {
    for (const body of ['', 'nope', '{}', JSON.stringify({ link: 3 }), JSON.stringify({ link: 'javascript:alert(1)' }),
      JSON.stringify({ link: 'https://evil.example/join.html#room=a' }), JSON.stringify({ link: 'https://x/other.html#room=a&token=b' })]) {
      expect(parseRegistration(body), body).toBeUndefined();
    }
  });

  it('takes only loopback addresses as this machine', () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1'].map(isLocal)).toEqual([true, true, true]);
    expect(['10.0.0.7', '127.0.0.2', undefined].map(isLocal)).toEqual([false, false, false]);
  });
});
