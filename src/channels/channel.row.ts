import { raw, Sql } from 'sql-template-tag';

/** A channel as another module's hot-path statement selects it (sealed secrets included). */
export function channelColumns(alias: string): Sql {
  return raw(
    ['id', 'tenant_id', 'type', 'name', 'enabled', 'config', 'secrets', 'updated_at']
      .map((c) => `${alias}.${c} AS ch_${c}`)
      .join(', '),
  );
}

export interface ChannelRow {
  ch_id: string | null;
  ch_tenant_id: string;
  ch_type: string;
  ch_name: string;
  ch_enabled: boolean;
  ch_config: Record<string, unknown>;
  ch_secrets: string | null;
  ch_updated_at: Date;
}
