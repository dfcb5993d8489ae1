import { describe, expect, it } from 'vitest';
import { logMatcher, type LogLine } from './logs';

const line = (over: Partial<LogLine>): LogLine => ({ seq: 1, time: 0, level: 'info', msg: 'm', ...over });

describe('log filter', () => {
  it('shows the chosen level and above', () => {
    const warnUp = logMatcher({ level: 'warn' });
    expect(
      ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((level) =>
        warnUp(line({ level: level as LogLine['level'] })),
      ),
    ).toEqual([false, false, false, true, true, true]);
  });

  it('matches one cluster exactly and text anywhere, case-insensitively', () => {
    const m = logMatcher({ cluster: 'c-1', text: 'TIMEOUT' });
    expect(m(line({ cluster: 'c-1', msg: 'dial timeout' }))).toBe(true);
    expect(m(line({ cluster: 'c-10', msg: 'dial timeout' }))).toBe(false);
    expect(m(line({ cluster: 'c-1', msg: 'dial', fields: 'err=Timeout' }))).toBe(true);
    expect(m(line({ cluster: 'c-1', msg: 'ok' }))).toBe(false);
    expect(logMatcher({ cluster: ' ', text: '' })(line({}))).toBe(true);
  });
});
