// The content engine's prompts: templates (built-in, an operator's directory, checks at load)
// and the facts they are filled with.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "content/engine/prompt_facts.h"
#include "content/engine/prompt_templates.h"

using namespace autoblog::content::engine;

namespace {

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("prompts-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
  }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

std::string load_error(const std::string& dir) {
  try {
    PromptTemplates::load(dir);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "loaded";
}

}  // namespace

TEST(PromptTemplates, BuiltInTemplatesLoadAndFillEveryPlaceholder) {
  auto t = PromptTemplates::load();
  std::map<std::string, std::string> vars{{"brand_name", "Bean Co"}, {"voice", "tone: warm"},
                                          {"topics", "espresso"}, {"keywords", "grinder"}};
  auto system = t.render(Prompt::kArticleSystem, vars);
  EXPECT_NE(system.find("Bean Co"), std::string::npos);
  EXPECT_NE(system.find("tone: warm"), std::string::npos);
  EXPECT_NE(system.find("body_markdown"), std::string::npos);
  EXPECT_EQ(system.find("{{"), std::string::npos);
  auto repair = t.render(Prompt::kRepair, {{"problem", "field 'title' is missing"}});
  EXPECT_NE(repair.find("could not be used: field 'title' is missing"), std::string::npos);
}

TEST(PromptTemplates, ValuesAreNotExpandedAgain) {
  auto t = PromptTemplates::load();
  auto text = t.render(Prompt::kRepair, {{"problem", "{{voice}}"}});
  EXPECT_NE(text.find("{{voice}}"), std::string::npos);
}

TEST(PromptTemplates, AnOperatorsFileReplacesOnlyItsOwnTemplate) {
  TempDir dir;
  dir.write("image.txt", "Draw {{ title }} in {{visual_style}}.");
  auto t = PromptTemplates::load(dir.str());
  EXPECT_EQ(t.render(Prompt::kImage, {{"title", "Latte art"}, {"visual_style", "ink"}}),
            "Draw Latte art in ink.");
  EXPECT_NE(t.render(Prompt::kRepair, {{"problem", "x"}}).find("could not be used"),
            std::string::npos);
}

TEST(PromptTemplates, BadTemplatesStopTheStartWithTheFileAndTheCause) {
  TempDir dir;
  dir.write("repair.txt", "Fix {{problme}}");
  auto e = load_error(dir.str());
  EXPECT_NE(e.find("repair.txt"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown placeholder {{problme}}"), std::string::npos) << e;
  EXPECT_NE(e.find("may use problem"), std::string::npos) << e;

  dir.write("repair.txt", "Fix {{problem");
  EXPECT_NE(load_error(dir.str()).find("never closed"), std::string::npos);
  dir.write("repair.txt", std::string("bad \xff byte"));
  EXPECT_NE(load_error(dir.str()).find("not UTF-8"), std::string::npos);
  dir.write("repair.txt", std::string(70 * 1024, 'x'));
  EXPECT_NE(load_error(dir.str()).find("64 KiB"), std::string::npos);
  EXPECT_NE(load_error(dir.str() + "/missing").find("not a directory"), std::string::npos);
}

TEST(PromptFacts, BrandAndItemFillTheDraftAndThePlaceholders) {
  GenerationInputs in;
  in.brand_name = "Bean Co";
  in.inspiration_json = R"({"title":"Dialing in espresso","url":"https://x.example/a"})";
  in.voice_tone_json = R"({"tone":"warm","person":"we"})";
  in.topics_json = R"(["home espresso","coffee gear"])";
  in.seo_strategy_json = R"({"keywords":["espresso grinder"],"min_overall":60})";
  in.brief_json = R"({"angle":"Beginners' mistakes","outline":["Grind","Dose"],"keywords":["espresso grinder","tamping"]})";
  in.visual_style_json = R"({"palette":"earthy"})";
  auto f = prompt_facts(in);
  EXPECT_EQ(f.draft.topic, "Dialing in espresso");
  EXPECT_EQ(f.draft.angle, "Beginners' mistakes");
  EXPECT_EQ(f.draft.keywords, (std::vector<std::string>{"espresso grinder", "tamping"}));
  EXPECT_EQ(f.vars.at("voice"), "tone: warm; person: we");
  EXPECT_EQ(f.vars.at("topics"), "home espresso, coffee gear");
  EXPECT_EQ(f.vars.at("keywords"), "espresso grinder, tamping");
  EXPECT_EQ(f.vars.at("outline"), "1. Grind\n2. Dose\n");
  EXPECT_EQ(f.vars.at("visual_style"), "palette: earthy");
  EXPECT_NE(f.vars.at("inspiration").find("url: https://x.example/a"), std::string::npos);
}

TEST(PromptFacts, MissingBrandAndHugeValuesStayBounded) {
  GenerationInputs in;
  in.inspiration_json = R"({"summary":")" + std::string(100000, 'a') + R"("})";
  auto f = prompt_facts(in);
  EXPECT_EQ(f.vars.at("voice"), "(none given)");
  EXPECT_EQ(f.vars.at("brand_name"), "the brand");
  EXPECT_LT(f.vars.at("inspiration").size(), 4100u);
  EXPECT_LT(f.draft.topic.size(), 600u);
}
