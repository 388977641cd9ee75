#pragma once
// Named SQL for autoblog_core.api_tokens (recording, listing and per-token revocation). Every value is a
// bind parameter.
#include "db/statement.h"

namespace autoblog::tenancy::queries {

#define AUTOBLOG_TOKEN_COLUMNS                                                   \
  "jti::text, issued_at, expires_at, revoked_at"

inline constexpr db::CoreQuery kRecordToken{
    "token_record",
    "INSERT INTO autoblog_core.api_tokens (jti, tenant_id, expires_at) "
    "VALUES ($1, $2, to_timestamp($3))"};

inline constexpr db::CoreQuery kListTokensFirst{
    "token_list_first",
    "SELECT " AUTOBLOG_TOKEN_COLUMNS " FROM autoblog_core.api_tokens WHERE tenant_id = $1 "
    "ORDER BY issued_at, jti LIMIT $2"};
inline constexpr db::CoreQuery kListTokensAfter{
    "token_list_after",
    "SELECT " AUTOBLOG_TOKEN_COLUMNS " FROM autoblog_core.api_tokens WHERE tenant_id = $1 "
    "AND (issued_at, jti) > ($3::timestamptz, $4::uuid) ORDER BY issued_at, jti LIMIT $2"};
// Idempotent: a token revoked earlier keeps its first revocation time. No row = not this
// tenant's token.
inline constexpr db::CoreQuery kRevokeToken{
    "token_revoke",
    "UPDATE autoblog_core.api_tokens SET revoked_at = COALESCE(revoked_at, now()) "
    "WHERE tenant_id = $1 AND jti = $2::uuid RETURNING jti::text"};
// What a node must refuse: revoked tokens that have not expired yet (expired ones are refused
// by their exp claim anyway).
inline constexpr db::CoreQuery kRevokedUnexpired{
    "token_revoked_unexpired",
    "SELECT jti::text FROM autoblog_core.api_tokens "
    "WHERE revoked_at IS NOT NULL AND expires_at > now()"};
inline constexpr db::CoreQuery kIsRevoked{
    "token_is_revoked",
    "SELECT 1 FROM autoblog_core.api_tokens WHERE jti = $1::uuid AND revoked_at IS NOT NULL"};

}  // namespace autoblog::tenancy::queries
