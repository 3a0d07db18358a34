import { describe, expect, it } from 'vitest';
import { SECTION, withSection } from './chaos-report';

describe('withSection', () => {
  const section = `${SECTION}\n\nnew table\n`;

  it('creates the file with its header when there is none', () => {
    const text = withSection('', section);
    expect(text.startsWith('# Reliability\n')).toBe(true);
    expect(text.endsWith(section)).toBe(true);
  });

  it('replaces only its own section and keeps the other attacks in place', () => {
    const before = `# Reliability\n\nintro\n\n## Hostile volunteers\n\nhostile table\n\n${SECTION}\n\nold table\n\n## Link faults\n\nlink table\n`;
    const after = withSection(before, section);
    expect(after).toBe(`# Reliability\n\nintro\n\n## Hostile volunteers\n\nhostile table\n\n${SECTION}\n\nnew table\n\n## Link faults\n\nlink table\n`);
    expect(withSection(after, section)).toBe(after);
  });

  it('appends its section to a file that lacks it', () => {
    expect(withSection('# Reliability\n\n## Hostile volunteers\n\nt\n', section)).toBe(`# Reliability\n\n## Hostile volunteers\n\nt\n\n${section}`);
  });
});
