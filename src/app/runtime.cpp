#include "app/runtime.h"

#include "db/embedded_postgres.h"

namespace autoblog::app {

DatabaseHandle::DatabaseHandle(const Config& config) {
  if (config.database_url) {
    conninfo_ = *config.database_url;
    return;
  }
  embedded_ = db::EmbeddedPostgres::start(config.data_dir);
  conninfo_ = embedded_->conninfo();
}

DatabaseHandle::~DatabaseHandle() = default;

}  // namespace autoblog::app
