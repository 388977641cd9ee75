// An ActiveTenant cannot be made from a hand-made Tenant: only the registry makes them.
#include "tenancy/active_tenant.h"

using namespace autoblog;

const tenancy::ActiveTenant* f(const tenancy::ActiveTenant& from_registry) {
  tenancy::Tenant t;
  t.id = "00000000-0000-4000-8000-000000000000";
  t.schema_name = "tenant_00000000_0000_4000_8000_000000000000";
#ifdef AUTOBLOG_EXPECT_COMPILE_ERROR
  static tenancy::ActiveTenant forged(t);
  return &forged;
#else
  static tenancy::ActiveTenant copy(from_registry);  // copying a real one is fine
  return t.id.empty() ? nullptr : &copy;
#endif
}
