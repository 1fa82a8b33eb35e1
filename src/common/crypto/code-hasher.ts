import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * One-time codes: drawn from a CSPRNG, stored only as HMAC-SHA256 under OTP_HASH_KEY, bound to
 * the user they were sent to (verify compares the caller's code with the caller's challenge only,
 * so the hash can be computed before the challenge is found: one statement does the rest).
 */
export class CodeHasher {
  constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new Error('CodeHasher needs a key of at least 32 bytes');
  }

  /** `length` decimal digits, each uniform (randomInt has no modulo bias). */
  static generate(length: number): string {
    let code = '';
    for (let i = 0; i < length; i++) code += String(randomInt(10));
    return code;
  }

  hash(userId: string, code: string): Buffer {
    return createHmac('sha256', this.key).update(`${userId}\u0000${code}`, 'utf8').digest();
  }

  matches(userId: string, code: string, stored: Buffer): boolean {
    const candidate = this.hash(userId, code);
    return stored.length === candidate.length && timingSafeEqual(candidate, stored);
  }
}
