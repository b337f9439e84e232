#include "table.hpp"

#include <algorithm>
#include <ostream>

namespace anyserial::cli {
namespace {

// Columns a UTF-8 text takes: one per code point ("CO₂" is 3), so device names and units
// such as "°C" line up.
std::size_t columns_of(const std::string &s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

}  // namespace

void print_columns(std::ostream &out, const std::vector<std::string> &head,
                   const std::vector<std::vector<std::string>> &rows) {
    std::vector<std::size_t> width(head.size());
    for (std::size_t c = 0; c < head.size(); ++c) {
        width[c] = columns_of(head[c]);
        for (const auto &row : rows)
            width[c] = std::max(width[c], columns_of(row[c]));
    }
    auto print_row = [&](const std::vector<std::string> &row) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            out << row[c];
            if (c + 1 < row.size()) out << std::string(width[c] + 2 - columns_of(row[c]), ' ');
        }
        out << '\n';
    };
    print_row(head);
    for (const auto &row : rows)
        print_row(row);
}

}  // namespace anyserial::cli
