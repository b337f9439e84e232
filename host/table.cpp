#include "table.hpp"

#include <algorithm>
#include <iomanip>
#include <ostream>

namespace anyserial::cli {

void print_columns(std::ostream &out, const std::vector<std::string> &head,
                   const std::vector<std::vector<std::string>> &rows) {
    std::vector<std::size_t> width(head.size());
    for (std::size_t c = 0; c < head.size(); ++c) {
        width[c] = head[c].size();
        for (const auto &row : rows)
            width[c] = std::max(width[c], row[c].size());
    }
    auto print_row = [&](const std::vector<std::string> &row) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (c + 1 == row.size())
                out << row[c];
            else
                out << std::left << std::setw(static_cast<int>(width[c]) + 2) << row[c];
        }
        out << '\n';
    };
    print_row(head);
    for (const auto &row : rows)
        print_row(row);
}

}  // namespace anyserial::cli
