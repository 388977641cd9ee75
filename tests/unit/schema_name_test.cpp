#include <gtest/gtest.h>

#include "tenancy/schema_name.h"

using namespace autoblog::tenancy;

TEST(SchemaName, DerivedFromTheTenantId) {
  EXPECT_EQ(schema_name_for("0b6f3b3e-8a59-4a2b-9d53-2f1b4c6d7e8f"),
            "tenant_0b6f3b3e_8a59_4a2b_9d53_2f1b4c6d7e8f");
  EXPECT_EQ(schema_name_for("0B6F3B3E-8A59-4A2B-9D53-2F1B4C6D7E8F"),
            "tenant_0b6f3b3e_8a59_4a2b_9d53_2f1b4c6d7e8f");
  EXPECT_THROW(schema_name_for("x; DROP SCHEMA public"), std::invalid_argument);
  EXPECT_THROW(schema_name_for(""), std::invalid_argument);
}

TEST(SchemaName, ValidationAcceptsOnlyGeneratedNames) {
  EXPECT_TRUE(is_valid_schema_name("tenant_0b6f3b3e_8a59_4a2b_9d53_2f1b4c6d7e8f"));
  EXPECT_FALSE(is_valid_schema_name("tenant_0B6F3B3E_8a59_4a2b_9d53_2f1b4c6d7e8f"));
  EXPECT_FALSE(is_valid_schema_name("tenant_0b6f3b3e-8a59-4a2b-9d53-2f1b4c6d7e8f"));
  EXPECT_FALSE(is_valid_schema_name("public"));
  EXPECT_FALSE(is_valid_schema_name("tenant_"));
  EXPECT_FALSE(is_valid_schema_name("tenant_0b6f3b3e_8a59_4a2b_9d53_2f1b4c6d7e8f\""));
  EXPECT_FALSE(is_valid_schema_name("autoblog_core"));
}

TEST(SchemaName, QuotingDoublesQuotes) {
  EXPECT_EQ(quote_identifier("tenant_x"), "\"tenant_x\"");
  EXPECT_EQ(quote_identifier("a\"b"), "\"a\"\"b\"");
  EXPECT_THROW(quote_identifier(std::string("a\0b", 3)), std::invalid_argument);
}
