// anyserial CLI — plain-text tables for the listing verbs.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace anyserial::cli {

// Prints `head` and then `rows` in left-aligned columns two spaces apart; the last column
// is not padded. Every row has head.size() cells.
void print_columns(std::ostream &out, const std::vector<std::string> &head,
                   const std::vector<std::vector<std::string>> &rows);

}  // namespace anyserial::cli
