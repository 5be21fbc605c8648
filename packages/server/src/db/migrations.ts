/**
 * Versioned schema. Never edit a released entry: append a new version instead, so an existing data
 * directory upgrades in place.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE customers (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(id),
  email TEXT NOT NULL,
  firstname TEXT,
  lastname TEXT,
  roles TEXT NOT NULL DEFAULT '[]',
  password_hash TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (customer_id, email)
);

-- Keys are stored as SHA-256 digests only, so the database never holds a usable key.
CREATE TABLE api_keys (
  key_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL
);

CREATE TABLE resources (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  customer_id TEXT NOT NULL,
  filename TEXT NOT NULL,
  source_filepath TEXT,
  mimetype TEXT,
  size INTEGER NOT NULL,
  storage TEXT NOT NULL,
  upload_channel TEXT,
  upload_mechanism TEXT,
  modality TEXT,
  tags TEXT NOT NULL DEFAULT '[]',
  metadata TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  published_on TEXT,
  published_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  deleted_at TEXT,
  deleted_by TEXT,
  file_key TEXT NOT NULL,
  rows INTEGER,
  columns INTEGER,
  number_of_frames INTEGER,
  study_uid TEXT,
  series_uid TEXT,
  instance_uid TEXT,
  transfer_syntax_uid TEXT
);
CREATE INDEX resources_customer_created ON resources (customer_id, deleted, created_at, seq);
CREATE INDEX resources_customer_channel ON resources (customer_id, upload_channel);

CREATE TABLE datasets (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  customer_id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE dataset_resources (
  dataset_id TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  added_at TEXT NOT NULL,
  PRIMARY KEY (dataset_id, resource_id)
);
CREATE INDEX dataset_resources_resource ON dataset_resources (resource_id);

CREATE TABLE worklists (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  customer_id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  status TEXT NOT NULL,
  annotators TEXT NOT NULL DEFAULT '[]',
  annotations TEXT NOT NULL DEFAULT '[]',
  frame_labels TEXT NOT NULL DEFAULT '[]',
  image_labels TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE worklist_resources (
  worklist_id TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  PRIMARY KEY (worklist_id, resource_id)
);

CREATE TABLE projects (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  customer_id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  dataset_id TEXT NOT NULL,
  worklist_id TEXT NOT NULL,
  is_active_learning INTEGER NOT NULL DEFAULT 0,
  two_up_display INTEGER NOT NULL DEFAULT 0,
  require_review INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  UNIQUE (customer_id, name)
);

CREATE TABLE annotations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  customer_id TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  scope TEXT NOT NULL,
  frame_index INTEGER,
  value TEXT,
  geometry TEXT,
  worklist_id TEXT,
  imported_from TEXT,
  import_author TEXT,
  added_by TEXT NOT NULL,
  model_id TEXT,
  is_model INTEGER NOT NULL DEFAULT 0,
  units TEXT,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  file_key TEXT,
  file_mimetype TEXT,
  deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX annotations_customer_resource ON annotations (customer_id, resource_id);

CREATE TABLE experiments (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  customer_id TEXT NOT NULL,
  dataset_id TEXT,
  name TEXT NOT NULL,
  description TEXT,
  environment TEXT NOT NULL DEFAULT '{}',
  result_summary TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  completed_at TEXT
);
`,
  },
  {
    version: 2,
    name: 'idempotency keys for creating requests',
    sql: `
-- One row per (customer, endpoint, Idempotency-Key): a repeated request returns the first result.
CREATE TABLE idempotency_keys (
  customer_id TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  key TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (customer_id, endpoint, key)
);
`,
  },
  {
    version: 3,
    name: 'per-project resource status, experiment logs',
    sql: `
CREATE TABLE project_resource_status (
  project_id TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  status TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (project_id, resource_id)
);

CREATE TABLE experiment_logs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  experiment_id TEXT NOT NULL,
  entry TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX experiment_logs_experiment ON experiment_logs (experiment_id, seq);
`,
  },
  {
    version: 4,
    name: 'current platform API: channels, archived projects, members, splits, invitations, volume masks',
    sql: `
-- The current platform answers "Unknown" for uploads without a channel, and its SDK rejects null.
UPDATE resources SET upload_channel = 'Unknown' WHERE upload_channel IS NULL;

ALTER TABLE projects ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN pinned_metrics TEXT NOT NULL DEFAULT '[]';
ALTER TABLE projects ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';

CREATE TABLE project_members (
  project_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  roles TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  PRIMARY KEY (project_id, user_id)
);

CREATE TABLE project_splits (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  project_id TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  split_name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  deleted_at TEXT,
  deleted_by TEXT
);
CREATE INDEX project_splits_project ON project_splits (project_id, resource_id);

CREATE TABLE invitations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  customer_id TEXT NOT NULL,
  email TEXT NOT NULL,
  firstname TEXT,
  lastname TEXT,
  return_url TEXT,
  project_id TEXT,
  project_roles TEXT NOT NULL DEFAULT '[]',
  annotation_worklist_id TEXT,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  revoked_at TEXT
);

ALTER TABLE annotations ADD COLUMN class_map TEXT;
ALTER TABLE annotations ADD COLUMN label_value INTEGER;
ALTER TABLE annotations ADD COLUMN source TEXT;
ALTER TABLE annotations ADD COLUMN project_id TEXT;
ALTER TABLE annotations ADD COLUMN approved_at TEXT;
ALTER TABLE annotations ADD COLUMN approved_by TEXT;

CREATE TABLE dataset_downloads (
  token TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  dataset_id TEXT NOT NULL,
  format TEXT NOT NULL,
  created_at TEXT NOT NULL
);

ALTER TABLE worklists ADD COLUMN segmentation_data TEXT;
ALTER TABLE worklists ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';

CREATE TABLE worklist_resource_status (
  worklist_id TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  annotator TEXT NOT NULL,
  status TEXT NOT NULL,
  message TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (worklist_id, resource_id, annotator)
);
`,
  },
  {
    version: 5,
    name: 'idempotency key fingerprints',
    sql: `
-- A hash of what was sent with the key: the same key with other content is refused, not replayed.
ALTER TABLE idempotency_keys ADD COLUMN fingerprint TEXT;
`,
  },
];
