import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { resealColumn } from '../common/crypto/reseal';
import { SecretBox } from '../common/crypto/secret-box';
import { Channel } from './entities/channel.entity';

/**
 * A channel's secrets (the SMTP password), sealed at rest with DATA_ENCRYPTION_KEY and bound to
 * the channel's id, so a sealed value copied to another channel does not open.
 */
@Injectable()
export class ChannelSecrets {
  constructor(
    private readonly box: SecretBox,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  seal(id: string, secrets: Record<string, string>): string | null {
    return Object.keys(secrets).length
      ? this.box.seal(JSON.stringify(secrets), `channel:${id}`)
      : null;
  }

  open(row: Pick<Channel, 'id' | 'secrets'>): Record<string, string> {
    return row.secrets
      ? (JSON.parse(this.box.open(row.secrets, `channel:${row.id}`)) as Record<string, string>)
      : {};
  }

  /** After a DATA_ENCRYPTION_KEY rotation: channel secrets sealed with an older key, re-sealed. */
  resealAll(): Promise<number> {
    return resealColumn<{ id: string; secrets: string }>(this.dataSource, this.box, {
      table: 'channels',
      keys: ['id'],
      column: 'secrets',
      context: (r) => `channel:${r.id}`,
    });
  }
}
