// Accept-Language (RFC 3261 §20.3): the ranges by preference, and what malformed ones get.

#include "sip/accept_language.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using jigasi::sip::accepted_languages;
using v = std::vector<std::string>;

TEST_CASE("Accept-Language: ranges best first", "[accept_language]") {
    CHECK(accepted_languages("de") == v{"de"});
    CHECK(accepted_languages("da, en-gb;q=0.8, en;q=0.7") == v{"da", "en-gb", "en"});  // RFC 3261 §20.3's example
    CHECK(accepted_languages("en;q=0.5, de-CH, fr;q=0.9") == v{"de-ch", "fr", "en"});
    CHECK(accepted_languages("a;q=0.5, b;q=0.5, c") == v{"c", "a", "b"});  // equal q keep their order
    CHECK(accepted_languages("  de ;  q = 0.3 ,\ten") == v{"en", "de"});
    CHECK(accepted_languages("es-419;Q=1.0") == v{"es-419"});           // digits after the first subtag
    CHECK(accepted_languages("de;level=1;q=0.2, fr") == v{"fr", "de"});  // other parameters ignored
    CHECK(accepted_languages("en;q=1, de;q=0.001") == v{"en", "de"});
}

TEST_CASE("Accept-Language: what is left out", "[accept_language]") {
    CHECK(accepted_languages("").empty());
    CHECK(accepted_languages(" , ,").empty());
    CHECK(accepted_languages("*") == v{});                        // any language: nothing to choose by
    CHECK(accepted_languages("de;q=0, en") == v{"en"});          // q=0: not acceptable
    CHECK(accepted_languages("de;q=0.000") == v{});
    // Each malformed entry is dropped, the rest kept.
    CHECK(accepted_languages("de;q=1.5, en") == v{"en"});        // q over 1
    CHECK(accepted_languages("de;q=0.1234, en") == v{"en"});     // four decimals
    CHECK(accepted_languages("de;q=x, en") == v{"en"});
    CHECK(accepted_languages("de;q=, en") == v{"en"});
    CHECK(accepted_languages("1de, en") == v{"en"});             // the first subtag is letters
    CHECK(accepted_languages("de-, -de, de--ch, en") == v{"en"});
    CHECK(accepted_languages("abcdefghi, en") == v{"en"});       // subtags of at most 8
    CHECK(accepted_languages("d\xC3\xA9, en") == v{"en"});
    CHECK(accepted_languages("de ch, en") == v{"en"});
    // At most 16 entries are read.
    std::string many;
    for (int i = 0; i < 40; ++i) many += "x, ";
    CHECK(accepted_languages(many + "de").size() == 16);
}
