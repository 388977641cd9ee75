#pragma once
// URL slugs: lower-case ASCII letters and digits joined by single hyphens, at most `max_length`
// characters, cut at a word boundary when possible. Letters outside ASCII are dropped (a slug
// must be safe in any URL without escaping). Pure function: thread-safe.
#include <cstddef>
#include <string>
#include <string_view>

namespace autoblog::content::providers {

// "" when nothing usable remains (the caller picks a fallback).
std::string slugify(std::string_view text, std::size_t max_length = 80);

}  // namespace autoblog::content::providers
