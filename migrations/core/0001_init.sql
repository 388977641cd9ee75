-- Core registry (docs/architecture.md). The seed's tenants table with its enum types actually created,
-- timestamps as timestamptz (UTC in every response), per-tenant limit overrides and the
-- version of the tenant schema's migrations.
CREATE TYPE autoblog_core.tenant_status AS ENUM ('active', 'suspended', 'deleted');
CREATE TYPE autoblog_core.subscription_tier_type AS ENUM ('starter', 'growth', 'enterprise');
CREATE TYPE autoblog_core.content_status AS ENUM (
  'inspiration', 'briefed', 'generating', 'generated', 'approved', 'scheduled', 'published',
  'failed', 'archived');

CREATE TABLE autoblog_core.tenants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name varchar(255) NOT NULL,
  domain varchar(255) UNIQUE,
  schema_name varchar(63) NOT NULL UNIQUE CHECK (schema_name ~ '^tenant_[0-9a-f_]{36}$'),
  status autoblog_core.tenant_status NOT NULL DEFAULT 'active',
  subscription_tier autoblog_core.subscription_tier_type NOT NULL DEFAULT 'starter',
  limits jsonb NOT NULL DEFAULT '{}'::jsonb,
  schema_version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tenants_created ON autoblog_core.tenants (created_at, id);
CREATE INDEX tenants_schema_version ON autoblog_core.tenants (schema_version) WHERE status <> 'deleted';

-- Issued tenant tokens (by jti), for audit and revocation.
CREATE TABLE autoblog_core.api_tokens (
  jti uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES autoblog_core.tenants (id),
  issued_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX api_tokens_tenant ON autoblog_core.api_tokens (tenant_id);

-- RFC 3339 UTC with microseconds, as every API timestamp is rendered.
CREATE FUNCTION autoblog_core.rfc3339(t timestamptz) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
