// `autoblog tenant ...`: the operator's commands on tenants, through tenancy::TenantService (the
// rules the admin API applies too, so both give the same answers and the same messages).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cstdio>
#include <iostream>

#include "api/admin_api.h"
#include "api/common.h"
#include "app/backends.h"
#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/secrets.h"
#include "auth/jwt.h"
#include "domain/errors.h"
#include "http/schema.h"
#include "storage/object_storage.h"
#include "tenancy/errors.h"
#include "tenancy/registry.h"
#include "tenancy/tenant_service.h"
#include "util/random.h"
#include "util/text.h"

namespace autoblog::app {

namespace asio = boost::asio;

// A usage mistake found after parsing (exit code 2), e.g. a --limit without '='.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace {

constexpr const char* kReadOnlyNote =
    "Needs an existing database: refuses a data dir that holds none (see `autoblog --help`).";

void add_id(CLI::App* sub, TenantCommand& tc) {
  sub->add_option("id", tc.id, "Tenant id (UUID)")->required();
}

// "--limit KEY=VALUE" as the JSON the admin API's `limits` takes: VALUE empty or null clears the
// override, an integer is a number, anything else a string; the service checks keys and values.
boost::json::object limits_patch(const std::vector<std::string>& args) {
  boost::json::object out;
  for (const auto& arg : args) {
    auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError("--limit expects KEY=VALUE (KEY= or KEY=null clears it), got '" + arg + "'");
    std::string key = arg.substr(0, eq), text = arg.substr(eq + 1);
    if (text.empty() || text == "null") {
      out[key] = nullptr;
      continue;
    }
    std::int64_t number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec == std::errc() && end == text.data() + text.size())
      out[key] = number;
    else
      out[key] = text;
  }
  return out;
}

// Deletion is the one command that cannot be undone: unless --yes, the operator types the
// tenant's name or id on a terminal. Returns false (nothing deleted) when not confirmed.
bool confirm_deletion(Runtime& rt, const tenancy::TenantService& service, const std::string& id) {
  if (isatty(STDIN_FILENO) != 1)
    throw UsageError(
        "tenant delete asks for confirmation on a terminal; stdin is not one: "
        "add --yes to delete without asking");
  std::string name, canonical_id;
  try {
    auto t = rt.run(service.get(id));
    name = t.name;
    canonical_id = t.id;
  } catch (const tenancy::TenantNotFound&) {
    // A tenant whose deletion stopped half-way (storage was down) is no longer listed, but
    // deleting it again finishes the purge. (service.get has checked that id is a UUID.)
    auto t = rt.run(rt.registry().resolve(util::normalize_uuid(id)));
    if (!t || t->status != tenancy::Status::kDeleted) throw;
    name = t->name;
    canonical_id = t->id;
  }
  std::fprintf(stderr,
               "This deletes tenant %s (%s): its schema and data, its files and its tokens. It "
               "cannot be undone.\nType the tenant's name or id to confirm: ",
               util::terminal_safe(name).c_str(), canonical_id.c_str());
  std::fflush(stderr);
  std::string answer;
  if (!std::getline(std::cin, answer)) answer.clear();
  if (!answer.empty() && answer.back() == '\r') answer.pop_back();
  return !answer.empty() && (answer == name || answer == canonical_id || answer == id);
}

void print_table(const std::vector<tenancy::Tenant>& all) {
  std::printf("%-36s  %-9s  %-10s  %-24s  %s\n", "ID", "STATUS", "TIER", "DOMAIN", "NAME");
  // Names and domains are tenant-chosen text (rows older than today's validation included):
  // escape control and bidi characters before they reach the terminal.
  for (const auto& t : all)
    std::printf("%-36s  %-9s  %-10s  %-24s  %s\n", t.id.c_str(),
                std::string(tenancy::to_string(t.status)).c_str(),
                std::string(tenancy::to_string(t.tier)).c_str(),
                util::terminal_safe(t.domain.value_or("-")).c_str(),
                util::terminal_safe(t.name).c_str());
}

}  // namespace

void add_tenant_subcommands(CLI::App& tenant, TenantCommand& tc) {
  auto named = [&](const char* name, const char* help) {
    auto* sub = tenant.add_subcommand(name, help);
    sub->callback([&tc, name] { tc.action = name; });
    return sub;
  };
  auto* create = named("create",
                       "Create a tenant (schema + migrations); creates the data dir if "
                       "needed");
  create->add_option("--name", tc.name, "Tenant name")->required();
  create->add_option("--domain", tc.domain, "Blog domain (unique)");
  create->add_option("--tier", tc.tier, "starter|growth|enterprise (default starter)");

  auto* list = named("list", "List tenants (not deleted ones unless --all)");
  list->add_flag("--json", tc.json, "Print a JSON array instead of a table");
  list->add_flag("--all", tc.all, "Include deleted tenants (status deleted)");
  list->footer(kReadOnlyNote);

  add_id(named("show", "Show a tenant as JSON"), tc);

  auto* update = named("update",
                       "Change a tenant's name, domain, tier or limit overrides (as "
                       "PATCH /v1/admin/tenants/{id}); prints the tenant as JSON");
  add_id(update, tc);
  update->add_option("--name", tc.name, "New name");
  auto* domain = update->add_option("--domain", tc.domain, "New blog domain (unique)");
  update->add_flag("--clear-domain", tc.clear_domain, "Remove the tenant's domain")
      ->excludes(domain);
  update->add_option("--tier", tc.tier, "starter|growth|enterprise");
  update
      ->add_option("--limit", tc.limits,
                   "KEY=VALUE override of a tier limit, repeatable: requests_per_hour, "
                   "max_concurrent_generations, max_daily_content, daily_token_budget, "
                   "storage_bytes (integers, -1 = unlimited where allowed), ai_model, "
                   "image_quality (standard|hd); KEY= or KEY=null returns to the tier's value")
      ->allow_extra_args(false);  // one KEY=VALUE per --limit: a later id stays the id

  add_id(named("suspend", "Suspend a tenant (its requests get 403)"), tc);
  add_id(named("activate", "Re-activate a suspended tenant"), tc);
  auto* del = named("delete",
                    "Delete a tenant: drop its schema, purge its files, revoke its "
                    "tokens. Asks to type its name or id unless --yes");
  add_id(del, tc);
  del->add_flag("-y,--yes", tc.yes, "Do not ask (needed when stdin is not a terminal)");
  auto* token = named("token", "Issue a tenant JWT");
  add_id(token, tc);
  token->add_option("--ttl", tc.ttl_seconds, "Lifetime in seconds (1..2592000, default 3600)");
  add_id(named("tokens", "List a tenant's issued tokens (jti, times)"), tc);
  auto* revoke = named("revoke", "Revoke one of a tenant's tokens by jti");
  add_id(revoke, tc);
  revoke->add_option("jti", tc.jti, "The token's jti claim (see `tenant tokens`)")->required();
  for (auto* sub : tenant.get_subcommands({}))
    if (sub != create) sub->footer(kReadOnlyNote);
}

int run_tenant_command(const Config& config, const TenantCommand& cmd) {
  // Only `create` may bring a new database into being; anything else on an empty data dir is a
  // mistyped --data-dir (or the wrong working directory).
  if (cmd.action != "create") require_existing_database(config);
  tenancy::TenantChanges update;
  try {
    if (cmd.action == "update") {
      update.name = cmd.name;
      update.tier = cmd.tier;
      if (cmd.domain) update.domain = std::optional<std::string>(*cmd.domain);
      if (cmd.clear_domain) update.domain = std::optional<std::string>();
      if (!cmd.limits.empty()) update.limits = limits_patch(cmd.limits);
      if (!update.name && !update.tier && !update.domain && !update.limits)
        throw UsageError(
            "tenant update: nothing to change (give --name, --domain, --clear-domain, --tier "
            "or --limit)");
    }
    // The input as the admin API's body, checked by the API's own schema (same words).
    if (cmd.action == "create" || cmd.action == "update") {
      boost::json::object body;
      if (cmd.name) body["name"] = *cmd.name;
      if (cmd.tier) body["subscription_tier"] = *cmd.tier;
      if (cmd.domain) body["domain"] = *cmd.domain;
      if (cmd.action == "update" && update.limits) body["limits"] = *update.limits;
      const auto& schema =
          cmd.action == "create" ? api::tenant_create_schema() : api::tenant_update_schema();
      if (auto bad = http::schema::check(schema, body, "request body")) throw UsageError(*bad);
    }
  } catch (const UsageError& e) {
    std::cerr << "autoblog: " << e.what() << "\n";
    return 2;
  }

  Runtime rt = cli_runtime(config, 8);
  auto& backends = rt.backends();
  tenancy::TenantService service(rt.registry(), backends.storage(), backends.cache());
  auto print = [](const tenancy::Tenant& t) {
    std::cout << util::terminal_safe_json(boost::json::serialize(api::tenant_json(t))) << "\n";
  };

  // The service's errors are one line each on stderr, worded as the admin API words them:
  // exit code 2 for invalid input, 1 otherwise (not found, conflict, unavailable). Anything else
  // propagates to cli.cpp (also one line, exit code 1).
  try {
    if (cmd.action == "create") {
      tenancy::TenantSpec spec{cmd.name.value_or(""), cmd.domain, cmd.tier};
      print(rt.run(service.create(spec)));
    } else if (cmd.action == "list") {
      std::vector<tenancy::Tenant> all;
      std::optional<std::string> cursor;
      do {
        auto page = rt.run(service.list(100, cursor, cmd.all));
        for (auto& t : page.items) all.push_back(std::move(t));
        cursor = page.next_cursor;
      } while (cursor);
      if (cmd.json) {
        boost::json::array arr;
        for (const auto& t : all) arr.push_back(api::tenant_json(t));
        std::cout << util::terminal_safe_json(boost::json::serialize(arr)) << "\n";
      } else {
        print_table(all);
      }
    } else if (cmd.action == "show") {
      print(rt.run(service.get(cmd.id)));
    } else if (cmd.action == "update") {
      print(rt.run(service.update(cmd.id, update)));
    } else if (cmd.action == "suspend" || cmd.action == "activate") {
      tenancy::TenantChanges changes;
      changes.status = cmd.action == "suspend" ? "suspended" : "active";
      print(rt.run(service.update(cmd.id, changes)));
    } else if (cmd.action == "delete") {
      if (!cmd.yes && !confirm_deletion(rt, service, cmd.id)) {
        std::cerr << "autoblog: not confirmed; tenant " << cmd.id << " is unchanged\n";
        return 1;
      }
      try {
        // (Runtime::run needs a value; the lambda lives until it returns.)
        rt.run([&]() -> asio::awaitable<int> {
          co_await service.remove(cmd.id);
          co_return 0;
        }());
      } catch (const storage::StorageUnavailable& e) {
        std::cerr << "autoblog: tenant " << cmd.id
                  << " is deleted but its files could not be purged (" << e.what()
                  << "); run `autoblog tenant delete --yes " << cmd.id << "` again to finish\n";
        return 1;
      }
      std::cout << "deleted " << cmd.id << "\n";
    } else if (cmd.action == "token") {
      auto secrets = load_or_create_secrets(config.data_dir, config.admin_token, config.jwt_secret);
      auth::JwtCodec jwt(secrets.jwt_secret);
      auto issued = rt.run(service.issue_token(jwt, cmd.id, cmd.ttl_seconds));
      std::cout << issued.token << "\n";
    } else if (cmd.action == "tokens") {
      std::printf("%-36s  %-27s  %-27s  %s\n", "JTI", "ISSUED", "EXPIRES", "REVOKED");
      std::optional<std::string> cursor;
      do {
        auto page = rt.run(service.list_tokens(cmd.id, 100, cursor));
        for (const auto& t : page.items)
          std::printf("%-36s  %-27s  %-27s  %s\n", t.jti.c_str(), t.issued_at.c_str(),
                      t.expires_at.c_str(), t.revoked_at.value_or("-").c_str());
        cursor = page.next_cursor;
      } while (cursor);
    } else if (cmd.action == "revoke") {
      rt.run([&]() -> asio::awaitable<int> {
        co_await service.revoke_token(cmd.id, cmd.jti);
        co_return 0;
      }());
      std::cout << "revoked " << cmd.jti << "\n";
    } else {
      throw std::logic_error("unknown tenant action " + cmd.action);
    }
  } catch (const UsageError& e) {
    std::cerr << "autoblog: " << e.what() << "\n";
    return 2;
  } catch (const domain::Error& e) {
    if (dynamic_cast<const tenancy::TokenNotFound*>(&e))
      std::cerr << "autoblog: tenant " << cmd.id << " has no token " << cmd.jti << "\n";
    else if (e.kind() == domain::ErrorKind::kNotFound)
      std::cerr << "autoblog: tenant " << cmd.id << " not found\n";
    else
      std::cerr << "autoblog: " << e.what() << "\n";
    return e.kind() == domain::ErrorKind::kInvalidInput ? 2 : 1;
  }
  return 0;
}

}  // namespace autoblog::app
