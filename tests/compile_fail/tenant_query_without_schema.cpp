// A tenant query must write its tables as {schema}.table: a bare table name would be resolved
// through the connection's search_path (empty on pooled connections), not the tenant's schema.
#include "db/statement.h"

using namespace autoblog;

#ifdef AUTOBLOG_EXPECT_COMPILE_ERROR
constexpr db::TenantQuery kBare{"bare", "SELECT 1 FROM content_pipelines"};
#else
constexpr db::TenantQuery kQualified{"qualified", "SELECT 1 FROM {schema}.content_pipelines"};
#endif
