import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest (SMTP passwords, TOTP secrets). A sealed value is
 * `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts); keyId names the key that sealed it, so
 * DATA_ENCRYPTION_KEYS_PREVIOUS can still open older values during a re-encryption.
 * `context` (e.g. "channel:<id>") is bound as additional data: a value copied to another row
 * does not open there.
 */
export class SecretBox {
  private readonly currentId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(current: Buffer, previous: Buffer[] = []) {
    if (current.length !== 32) throw new Error('SecretBox needs a 32-byte key');
    this.currentId = SecretBox.keyId(current);
    this.keys.set(this.currentId, current);
    for (const key of previous) this.keys.set(SecretBox.keyId(key), key);
  }

  static keyId(key: Buffer): string {
    return createHash('sha256').update(key).digest('base64url').slice(0, 8);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId)!, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
    return ['v1', this.currentId, ...parts].join('.');
  }

  open(sealed: string, context: string): string {
    const [version, keyId, iv, tag, body] = sealed.split('.');
    const key = this.keys.get(keyId ?? '');
    if (version !== 'v1' || !key || !iv || !tag || body === undefined)
      throw new Error('sealed value is malformed or its key is not configured');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(body, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }

  /** The id of DATA_ENCRYPTION_KEY, as written in every value sealed with it. */
  get currentKeyId(): string {
    return this.currentId;
  }

  /** True when the value was sealed with an older key (re-encrypt it). */
  isStale(sealed: string): boolean {
    return sealed.split('.')[1] !== this.currentId;
  }
}
