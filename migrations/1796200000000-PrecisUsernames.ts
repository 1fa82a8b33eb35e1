import { MigrationInterface, QueryRunner } from 'typeorm';
import { prepareUsername } from '../src/common/validation/username';

interface UserRow {
  id: string;
  tenant_id: string;
  username: string;
}

/** varchar(64), less the `-` and 8 characters of the id a renamed account gets. */
const RENAMED_PREFIX_MAX = 64 - 9;

/**
 * API.md v1.1 §10: every stored username becomes its RFC 8265 UsernameCaseMapped form, as login
 * and user creation now prepare them. Where two accounts of a tenant prepare to one name, the
 * oldest keeps it and each newer one becomes `<prepared>-<first 8 characters of its id>`, with a
 * USER_UPDATED audit event saying so (actor: platform). A stored name the profile refuses (zero
 * width, bidi controls: no login could reach it any more) gets the profile's mappings only (width,
 * lower case, NFC), so it still holds its place in the uniqueness rule; its admin renames it.
 */
export class PrecisUsernames1796200000000 implements MigrationInterface {
  name = 'PrecisUsernames1796200000000';

  public async up(q: QueryRunner): Promise<void> {
    const rows = (await q.query(
      'SELECT id, tenant_id, username FROM users ORDER BY tenant_id, created_at, id',
    )) as UserRow[];
    const taken = new Set<string>();
    const changes: Array<{ row: UserRow; username: string; collidedWith: string | null }> = [];
    for (const row of rows) {
      const prepared = preparedForm(row.username);
      const key = `${row.tenant_id}\u0000${prepared}`;
      if (!taken.has(key)) {
        taken.add(key);
        if (prepared !== row.username)
          changes.push({ row, username: prepared, collidedWith: null });
        continue;
      }
      const renamed = `${[...prepared].slice(0, RENAMED_PREFIX_MAX).join('')}-${row.id.slice(0, 8)}`;
      taken.add(`${row.tenant_id}\u0000${renamed}`);
      changes.push({ row, username: renamed, collidedWith: prepared });
    }
    if (!changes.length) return;
    // Two steps, so a rename never meets a row that still holds its new name (unique index).
    const ids = changes.map((c) => c.row.id);
    await q.query(`UPDATE users SET username = '~' || id::text WHERE id = ANY($1::uuid[])`, [ids]);
    for (const c of changes) {
      await q.query('UPDATE users SET username = $2, updated_at = now() WHERE id = $1', [
        c.row.id,
        c.username,
      ]);
      if (c.collidedWith === null) continue;
      await q.query(
        `INSERT INTO audit_events (tenant_id, type, user_id, actor_type, actor_id, data)
         VALUES ($1, 'USER_UPDATED', $2, 'platform', NULL, $3::jsonb)`,
        [
          c.row.tenant_id,
          c.row.id,
          JSON.stringify({
            changes: ['username'],
            reason: 'username_collision',
            previousUsername: c.row.username,
            username: c.username,
            collidesWith: c.collidedWith,
          }),
        ],
      );
    }
  }

  public async down(): Promise<void> {
    // The original spellings are not kept (the audit events hold the renamed ones): nothing to undo.
  }
}

function preparedForm(username: string): string {
  const p = prepareUsername(username);
  return p.ok ? p.username : username.normalize('NFKC').toLowerCase().normalize('NFC');
}
