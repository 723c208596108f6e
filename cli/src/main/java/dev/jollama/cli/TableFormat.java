package dev.jollama.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Plain text tables as the ollama command prints them: left-aligned columns four spaces apart, no borders, an
 * upper-case header line when there is one.
 */
final class TableFormat {
    private static final String GAP = "    ";

    private TableFormat() {
    }

    /** @param header the column names, or an empty list for a table without a header line */
    static String render(List<String> header, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        if (!header.isEmpty()) {
            all.add(header);
        }
        all.addAll(rows);
        int columns = all.stream().mapToInt(List::size).max().orElse(0);
        int[] widths = new int[columns];
        for (List<String> row : all) {
            for (int c = 0; c < row.size(); c++) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.size(); c++) {
                line.append(row.get(c)).append(" ".repeat(widths[c] - row.get(c).length()));
                if (c < row.size() - 1) {
                    line.append(GAP);
                }
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }
}
