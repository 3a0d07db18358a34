import { describe, expect, it } from 'vitest';
import { inferType, isInt64Text, parseFloatText, parseTimestampMicros, tallyTypes } from './csv-types';

const typeOf = (values: string[]): string => inferType(tallyTypes(values));

describe('CSV type inference', () => {
  it('picks int64, float64, bool, timestamp or utf8 from every filled value; empty cells say nothing', () => {
    expect(typeOf(['1', '-2', '', '+3'])).toBe('int64');
    expect(typeOf(['1', '2.5', '1e3', 'NaN', '-inf'])).toBe('float64');
    expect(typeOf(['true', 'FALSE', ''])).toBe('bool');
    expect(typeOf(['2024-01-02', '2024-01-02T03:04:05Z', '2024-01-02 03:04'])).toBe('timestamp');
    expect(typeOf(['A7', 'B2', '12'])).toBe('utf8');
    expect(typeOf(['', ''])).toBe('utf8');
  });

  it('calls a column of mostly numbers with some text mixed, not text', () => {
    expect(typeOf(['1', '2', 'n/a'])).toBe('mixed');
    expect(typeOf(['1', 'x'])).toBe('utf8');
  });

  it('keeps int64 to its range, and reads larger whole numbers as float64', () => {
    expect(isInt64Text('9223372036854775807')).toBe(true);
    expect(isInt64Text('-9223372036854775808')).toBe(true);
    expect(isInt64Text('9223372036854775808')).toBe(false);
    expect(typeOf(['1', '9223372036854775808'])).toBe('float64');
  });

  it('parses NaN and the infinities, and timestamps as UTC microseconds', () => {
    expect(parseFloatText('nan')).toBeNaN();
    expect(parseFloatText('-Infinity')).toBe(-Infinity);
    expect(parseTimestampMicros('1970-01-01T00:00:01.000250')).toBe(1_000_250n);
    expect(parseTimestampMicros('1970-01-02')).toBe(86_400_000_000n);
    expect(parseTimestampMicros('1970-01-01T01:00:00+01:00')).toBe(0n);
    expect(parseTimestampMicros('2024-13-45')).toBeUndefined();
  });
});
