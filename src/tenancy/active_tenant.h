#pragma once
// A tenant that was active, with a valid schema name, when the registry handed it out — the
// only thing a TenantTx can be opened for. Only TenantRegistry can make one (private
// constructor), so code that fills in a Tenant by hand cannot reach tenant data with it.
// Immutable; shared between the requests and threads that hold it (shared_ptr<const>).
// It is a snapshot: a tenant suspended or deleted afterwards is caught by TenantTx (its schema
// is gone → TenantInactive) and by the next authentication.
#include "tenancy/tenant.h"

namespace autoblog::tenancy {

class TenantRegistry;

class ActiveTenant {
 public:
  const Tenant& tenant() const noexcept { return tenant_; }
  const Tenant& operator*() const noexcept { return tenant_; }
  const Tenant* operator->() const noexcept { return &tenant_; }
  const std::string& id() const noexcept { return tenant_.id; }
  const TierLimits& limits() const noexcept { return tenant_.effective_limits(); }

 private:
  friend class TenantRegistry;
  explicit ActiveTenant(Tenant tenant) : tenant_(std::move(tenant)) {}
  Tenant tenant_;
};

}  // namespace autoblog::tenancy
