import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const key = randomBytes(32);

  it('round-trips, with a fresh IV each time and no plaintext in the output', () => {
    const box = new SecretBox(key);
    const a = box.seal('smtp-password-123', 'channel:1');
    const b = box.seal('smtp-password-123', 'channel:1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('smtp-password');
    expect(box.open(a, 'channel:1')).toBe('smtp-password-123');
  });

  it('refuses another context, a tampered value and an unknown key', () => {
    const box = new SecretBox(key);
    const sealed = box.seal('secret', 'channel:1');
    expect(() => box.open(sealed, 'channel:2')).toThrow();
    const parts = sealed.split('.');
    parts[4] = Buffer.from('x' + Buffer.from(parts[4], 'base64url').toString('latin1')).toString(
      'base64url',
    );
    expect(() => box.open(parts.join('.'), 'channel:1')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'channel:1')).toThrow();
  });

  it('opens values sealed with a previous key and marks them stale', () => {
    const old = new SecretBox(key);
    const sealed = old.seal('secret', 'c');
    const rotated = new SecretBox(randomBytes(32), [key]);
    expect(rotated.open(sealed, 'c')).toBe('secret');
    expect(rotated.isStale(sealed)).toBe(true);
    expect(rotated.isStale(rotated.seal('secret', 'c'))).toBe(false);
  });
});
