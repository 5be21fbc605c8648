import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../../src/index';

/**
 * Inserts listing rows straight into a (running) server's database, for pagination tests and the
 * benchmark where uploading thousands of files would only measure uploads. Rows point at no file.
 */
export function seedResources(
  dataDir: string,
  customerId: string,
  count: number,
  createdBy = 'seed@x.test',
): string[] {
  const db = new Database(join(dataDir, DATABASE_FILE));
  try {
    const insert = db.prepare(
      `INSERT INTO resources (id, customer_id, filename, source_filepath, mimetype, size, storage, upload_channel,
         upload_mechanism, tags, metadata, status, created_at, created_by, file_key)
       VALUES (?, ?, ?, ?, 'image/png', 1, 'ImageResource', ?, 'api', '[]', '{}', 'inbox', ?, ?, ?)`,
    );
    const ids: string[] = [];
    const base = Date.parse('2024-01-01T00:00:00.000Z');
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const id = randomUUID();
        ids.push(id);
        const created = new Date(base + i).toISOString();
        insert.run(
          id,
          customerId,
          `seed-${i}.png`,
          `seed/seed-${i}.png`,
          `ch-${i % 3}`,
          created,
          createdBy,
          `resources/${id.slice(0, 2)}/${id}`,
        );
      }
    })();
    return ids;
  } finally {
    db.close();
  }
}

export function seedAnnotations(
  dataDir: string,
  customerId: string,
  resourceId: string,
  count: number,
): void {
  const db = new Database(join(dataDir, DATABASE_FILE));
  try {
    const insert = db.prepare(
      `INSERT INTO annotations (id, customer_id, resource_id, name, type, scope, added_by, status, created_at)
       VALUES (?, ?, ?, ?, 'label', 'image', 'seed@x.test', 'new', ?)`,
    );
    db.transaction(() => {
      for (let i = 0; i < count; i++)
        insert.run(randomUUID(), customerId, resourceId, `l${i}`, new Date().toISOString());
    })();
  } finally {
    db.close();
  }
}
