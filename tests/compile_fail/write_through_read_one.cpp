// TenantTx::read_one takes only a TenantReadQuery, one plain SELECT checked at compile time: a
// read may share its implicit transaction with other requests' statements, and a failure among
// them would undo a write already reported done.
#include "db/statement.h"

using namespace autoblog;

#ifdef AUTOBLOG_EXPECT_COMPILE_ERROR
constexpr db::TenantReadQuery kWrite{
    "write", "UPDATE {schema}.content_pipelines SET status = 'archived' RETURNING id"};
#else
constexpr db::TenantReadQuery kRead{"read", "SELECT id FROM {schema}.content_pipelines"};
#endif
