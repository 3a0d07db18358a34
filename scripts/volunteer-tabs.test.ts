import { describe, expect, it } from 'vitest';
import { parseJoinLink, volunteerTabUrl } from './volunteer-tabs.ts';

describe('volunteer tabs', () => {
  it('adds name, slots and slowdown to the join link, keeping room and token', () => {
    const parsed = parseJoinLink('http://localhost:5173/join.html#room=r1&token=t0k');
    if (!('link' in parsed)) throw new Error(parsed.problem);
    const url = new URL(volunteerTabUrl(parsed.link, { name: 'bench-1', slots: 2, slow: 3 }));
    expect(url.pathname).toBe('/join.html');
    expect(Object.fromEntries(new URLSearchParams(url.hash.slice(1)))).toEqual({ room: 'r1', token: 't0k', name: 'bench-1', slots: '2', slow: '3' });
  });

  it('leaves slots and slowdown out when not given', () => {
    const parsed = parseJoinLink('https://10.0.0.2:5173/join.html#room=r&token=t');
    if (!('link' in parsed)) throw new Error(parsed.problem);
    expect(new URL(volunteerTabUrl(parsed.link, { name: 'x' })).hash).toBe('#room=r&token=t&name=x');
  });

  it('says what is wrong with a link that is not a join link', () => {
    expect(parseJoinLink('not a url')).toEqual({ problem: '--join expects the join link shown on the coordinator page (http(s)://host:port/join.html#room=…&token=…), got "not a url"' });
    expect(parseJoinLink('http://localhost:5173/join.html#room=r')).toEqual({ problem: 'the join link lacks #room=…&token=…; copy it again from the coordinator page' });
  });
});
