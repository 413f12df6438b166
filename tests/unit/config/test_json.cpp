// to_json(), the shipped default file and save_file().

#include "config/load.hpp"
#include "config_test_util.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

using namespace jigasi::config;
using jigasi::config::test::parse_ok;
using jigasi::config::test::source_root;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

config busy_config() {
    config cfg = defaults();
    cfg.server.region = "eu \"west\"\n";
    cfg.log.level = log_level::debug;
    cfg.log.subsystems = {{"http", log_level::emerg}, {"sip", log_level::notice}};
    cfg.http.max_body_bytes = 18446744073709551615u;
    cfg.xmpp.servers[0].control.enabled = true;
    cfg.xmpp.servers[0].control.password = "ctl-pass";
    cfg.xmpp.servers.push_back(cfg.xmpp.servers[0]);
    cfg.xmpp.servers[1].id = "second";
    cfg.xmpp.servers[1].tls = xmpp_tls::required;
    cfg.xmpp.component.enabled = true;
    cfg.xmpp.component.domain = "example.org";
    cfg.xmpp.component.secret = "comp-secret";
    cfg.sip.listen[1].transport = sip_transport::tls;
    cfg.sip.listen[1].port = 5061;
    cfg.sip.listen[1].certificate = "/etc/c.pem";
    cfg.sip.listen[1].private_key = "/etc/k.pem";
    sip_account_config acc;
    acc.id = "p";
    acc.user = "u";
    acc.domain = "sip.example.com";
    acc.password = "sip-pass";
    acc.display_name = "\xC3\xA9t\xC3\xA9";
    cfg.sip.accounts.push_back(acc);
    cfg.dialin.mapper_url = "https://mapper.example.com/map?token=\"x\"";
    cfg.ivr.lobby_wait_s = 86400;
    cfg.ivr.wait_prompt_s = 0;
    fill_derived(cfg);
    return cfg;
}

/// Keys of `want` that `have` lacks, recursively (arrays pairwise).
void missing_keys(const json::value& want, const json::value& have, const std::string& path,
                  std::vector<std::string>& out) {
    if (want.is_object() && have.is_object()) {
        for (const auto& kv : want.get_object()) {
            std::string p = path + "." + std::string(kv.key());
            if (auto it = have.get_object().find(kv.key()); it == have.get_object().end()) out.push_back(p);
            else missing_keys(kv.value(), it->value(), p, out);
        }
    } else if (want.is_array() && have.is_array()) {
        for (std::size_t i = 0; i < std::min(want.get_array().size(), have.get_array().size()); ++i)
            missing_keys(want.get_array()[i], have.get_array()[i], path + "[" + std::to_string(i) + "]", out);
    }
}

}  // namespace

TEST_CASE("to_json round trips", "[config]") {
    for (const config& cfg : {defaults(), busy_config()}) {
        std::string text = to_json(cfg, false);
        auto back = parse(text, "round-trip");
        CHECK(back.errors.empty());
        REQUIRE(back.value);
        CHECK(*back.value == cfg);
        CHECK(to_json(*back.value, false) == text);  // stable
    }
}

TEST_CASE("to_json writes every key, in file order, indented by two", "[config]") {
    std::string text = to_json(defaults(), false);
    CHECK(text.starts_with("{\n  \"server\": {\n    \"threads\": 0,\n"));
    CHECK(text.find("  \"media\": {\n    \"min_port\": 10000,\n    \"max_port\": 20000,\n"
                    "    \"addresses\": [],\n    \"max_speakers\": 3,\n    \"timeout_s\": 30\n  },\n") != std::string::npos);
    CHECK(text.find("    \"records_file\": \"\",\n    \"records_kept\": 200\n  },\n") != std::string::npos);
    CHECK(text.find("    \"id_digits\": 10,\n    \"numbers\": [],\n    \"mapper_url\": \"\"\n  },\n") != std::string::npos);
    CHECK(text.find("    \"digit_timeout_s\": 10,\n    \"lobby_wait_s\": 900,\n    \"start_wait_s\": 600,\n    \"wait_prompt_s\": 30,\n") !=
          std::string::npos);
    CHECK(text.ends_with("    \"language\": \"en\",\n    \"accept_language\": true,\n    \"prompts_folder\": \"\"\n  }\n}\n"));
    CHECK(text.find("\"dtmf\": \"auto\"") != std::string::npos);
    CHECK(text.find("\"accounts\": []") != std::string::npos);
    CHECK(text.find("\"subsystems\": {}") != std::string::npos);
    CHECK(text.find("\"tls\": \"starttls\"") != std::string::npos);
    auto order = {"\"server\"", "\"log\"", "\"http\"", "\"xmpp\"", "\"sip\"", "\"media\""};
    std::size_t last = 0;
    for (const char* key : order) {
        std::size_t at = text.find(key);
        CHECK(at > last);
        last = at;
    }
}

TEST_CASE("to_json redacts secrets on request", "[config]") {
    config cfg = busy_config();
    std::string open = to_json(cfg, false);
    std::string hidden = to_json(cfg, true);
    for (const char* secret : {"ctl-pass", "comp-secret", "sip-pass"}) {
        CHECK(open.find(secret) != std::string::npos);
        CHECK(hidden.find(secret) == std::string::npos);
    }
    auto value = json::parse(hidden);
    CHECK(value.at("xmpp").at("component").at("secret") == "********");
    CHECK(value.at("xmpp").at("servers").at(1).at("control").at("password") == "********");
    CHECK(value.at("sip").at("accounts").at(0).at("password") == "********");
    // An unset secret stays "", so the admin can see that it is missing.
    auto plain = json::parse(to_json(defaults(), true));
    CHECK(plain.at("xmpp").at("component").at("secret") == "");
    // Redaction hides values only: the rest still parses to the same model.
    auto back = parse(hidden, "redacted");
    REQUIRE(back.value);
    CHECK(back.value->sip.accounts[0].user == "u");
}

TEST_CASE("the shipped config/jigasi-ng.json equals the built-in defaults", "[config]") {
    fs::path file = source_root() / "config" / "jigasi-ng.json";
    INFO(file.string());
    auto r = load_file(file.string());
    CHECK(test::lines(r.errors).empty());
    CHECK(test::lines(r.warnings).empty());
    REQUIRE(r.value);
    CHECK(*r.value == defaults());

    // ...and spells out every key (a missing key would also equal the default).
    json::parse_options opt;
    opt.allow_comments = true;
    opt.allow_trailing_commas = true;
    auto shipped = json::parse(read(file), {}, opt);
    auto full = json::parse(to_json(defaults(), false));
    std::vector<std::string> missing;
    missing_keys(full, shipped, "", missing);
    CHECK(missing.empty());
}

TEST_CASE("save_file writes atomically and keeps the previous file", "[config]") {
    fs::path dir = fs::temp_directory_path() / ("jigasi-cfg-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    fs::path path = dir / "jigasi-ng.json";

    // First save: no previous file, private mode because the file holds passwords.
    config first = busy_config();
    REQUIRE(save_file(first, path.string()) == "");
    CHECK(read(path) == to_json(first, false));
    CHECK_FALSE(fs::exists(path.string() + ".prev"));
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    // Second save: the old content moves to .prev, the mode the admin chose is kept.
    REQUIRE(::chmod(path.c_str(), 0640) == 0);
    config second = first;
    second.http.port = 9999;
    REQUIRE(save_file(second, path.string()) == "");
    CHECK(read(path) == to_json(second, false));
    CHECK(read(path.string() + ".prev") == to_json(first, false));
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    auto loaded = load_file(path.string());
    REQUIRE(loaded.value);
    CHECK(*loaded.value == second);

    // Third save: .prev is replaced by the second version; no temporary files are left.
    REQUIRE(save_file(first, path.string()) == "");
    CHECK(read(path.string() + ".prev") == to_json(second, false));
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
    CHECK(entries == 2);

    // Through a symlink: the target is replaced, the link stays a link.
    fs::path link = dir / "link.json";
    fs::create_symlink(path, link);
    REQUIRE(save_file(second, link.string()) == "");
    CHECK(fs::is_symlink(link));
    CHECK(read(path) == to_json(second, false));

    // Failure leaves the file alone and says why.
    std::string error = save_file(first, (dir / "no-such-dir" / "x.json").string());
    CHECK(error.starts_with("cannot create a temporary file in "));
    CHECK(read(path) == to_json(second, false));
    fs::remove_all(dir);
}
