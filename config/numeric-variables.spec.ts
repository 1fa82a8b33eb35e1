import { ConfigValidationError, validateEnvironment } from './environment';
import { NUMERIC_VARIABLES, NumericVariableName, numericSetting } from './numeric-variables';

describe('numeric variables: the range and default of the table are the ones applied', () => {
  const names = Object.keys(NUMERIC_VARIABLES) as NumericVariableName[];

  it.each(names)('%s: its minimum and maximum pass, one beyond either is refused', (name) => {
    const { min, max } = NUMERIC_VARIABLES[name];
    expect(validateEnvironment({ [name]: String(min) })[name]).toBe(min);
    expect(validateEnvironment({ [name]: ` ${max} ` })[name]).toBe(max);
    for (const bad of [String(min - 1), String(max + 1), '1.5', 'ten']) {
      let problems: string[] = [];
      try {
        validateEnvironment({ [name]: bad });
      } catch (e) {
        problems = (e as ConfigValidationError).problems;
      }
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });

  it('an unset variable takes the default of its row, a set one its value', () => {
    expect(numericSetting({}, 'REAUTH_SECONDS')).toBe(600);
    expect(numericSetting({}, 'THROTTLE_ACCOUNT_FAILURES_PER_HOUR')).toBe(100);
    expect(numericSetting({ REAUTH_SECONDS: 30 }, 'REAUTH_SECONDS')).toBe(30);
  });
});
