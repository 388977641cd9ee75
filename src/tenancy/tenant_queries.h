#pragma once
// Named SQL for autoblog_core.tenants. Every value is a bind parameter.
#include "db/statement.h"

namespace autoblog::tenancy::queries {

#define AUTOBLOG_TENANT_COLUMNS                                                         \
  "id, name, domain, schema_name, status, subscription_tier, limits::text, schema_version, " \
  "created_at, updated_at"

inline constexpr db::CoreQuery kInsert{
    "tenant_insert",
    "INSERT INTO autoblog_core.tenants (id, name, domain, schema_name, subscription_tier) "
    "VALUES ($1, $2, $3, $4, $5::autoblog_core.subscription_tier_type) "
    "RETURNING " AUTOBLOG_TENANT_COLUMNS};

inline constexpr db::CoreQuery kSetSchemaVersion{
    "tenant_set_schema_version",
    "UPDATE autoblog_core.tenants SET schema_version = $2 WHERE id = $1 "
    "RETURNING " AUTOBLOG_TENANT_COLUMNS};

inline constexpr db::CoreQuery kGet{
    "tenant_get", "SELECT " AUTOBLOG_TENANT_COLUMNS " FROM autoblog_core.tenants WHERE id = $1"};

inline constexpr db::CoreQuery kListFirst{
    "tenant_list_first",
    "SELECT " AUTOBLOG_TENANT_COLUMNS " FROM autoblog_core.tenants WHERE status <> 'deleted' "
    "ORDER BY created_at, id LIMIT $1"};

inline constexpr db::CoreQuery kListAfter{
    "tenant_list_after",
    "SELECT " AUTOBLOG_TENANT_COLUMNS " FROM autoblog_core.tenants WHERE status <> 'deleted' "
    "AND (created_at, id) > ($2::timestamptz, $3::uuid) ORDER BY created_at, id LIMIT $1"};

// The same lists with deleted tenants too (`autoblog tenant list --all`).
inline constexpr db::CoreQuery kListAllFirst{
    "tenant_list_all_first",
    "SELECT " AUTOBLOG_TENANT_COLUMNS " FROM autoblog_core.tenants "
    "ORDER BY created_at, id LIMIT $1"};

inline constexpr db::CoreQuery kListAllAfter{
    "tenant_list_all_after",
    "SELECT " AUTOBLOG_TENANT_COLUMNS " FROM autoblog_core.tenants "
    "WHERE (created_at, id) > ($2::timestamptz, $3::uuid) ORDER BY created_at, id LIMIT $1"};

// $2..$6 NULL = unchanged; $7 true = set domain to $3 even when NULL (clear).
inline constexpr db::CoreQuery kUpdate{
    "tenant_update",
    "UPDATE autoblog_core.tenants SET "
    " name = COALESCE($2, name),"
    " domain = CASE WHEN $7::bool THEN $3 ELSE domain END,"
    " subscription_tier = COALESCE($4::autoblog_core.subscription_tier_type, subscription_tier),"
    " status = COALESCE($5::autoblog_core.tenant_status, status),"
    " limits = CASE WHEN $6::jsonb IS NULL THEN limits ELSE jsonb_strip_nulls(limits || $6::jsonb) "
    "END,"
    " updated_at = now() "
    "WHERE id = $1 AND status <> 'deleted' RETURNING " AUTOBLOG_TENANT_COLUMNS};

// Deletion, step 1: the row under lock, to tell "delete now" from "finish the purge".
inline constexpr db::CoreQuery kLockForDeletion{
    "tenant_lock_for_deletion",
    "SELECT status::text, purged_at IS NOT NULL, schema_name FROM autoblog_core.tenants "
    "WHERE id = $1 FOR UPDATE"};

// A deleted tenant's jobs go with it (running ones too: their workers' fenced completions then
// find no row and are dropped), with its fair-queuing and concurrency state.
inline constexpr db::CoreQuery kDeleteJobs{
    "tenant_delete_jobs",
    "WITH j AS (DELETE FROM autoblog_core.jobs WHERE tenant_id = $1), "
    "l AS (DELETE FROM autoblog_core.job_lanes WHERE tenant_id = $1) "
    "DELETE FROM autoblog_core.job_concurrency WHERE tenant_id = $1"};

inline constexpr db::CoreQuery kMarkDeleted{
    "tenant_mark_deleted",
    "UPDATE autoblog_core.tenants SET status = 'deleted', domain = NULL, updated_at = now() "
    "WHERE id = $1 AND status <> 'deleted'"};

// Deletion, last step: storage and cache are purged.
inline constexpr db::CoreQuery kMarkPurged{
    "tenant_mark_purged",
    "UPDATE autoblog_core.tenants SET purged_at = now() "
    "WHERE id = $1 AND status = 'deleted' AND purged_at IS NULL"};

inline constexpr db::CoreQuery kRevokeTokens{
    "tenant_revoke_tokens",
    "UPDATE autoblog_core.api_tokens SET revoked_at = now() "
    "WHERE tenant_id = $1 AND revoked_at IS NULL"};

inline constexpr db::CoreQuery kNotifyChanged{
    "tenant_notify_changed", "SELECT pg_notify('autoblog_tenant_changed', $1)"};

}  // namespace autoblog::tenancy::queries
