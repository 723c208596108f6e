package dev.jollama.server.template;

/** A template's name and text, to turn node offsets into Go's {@code name:line:col} error locations. */
record SourceText(String name, String text) {

    /** Go's location form: 1-based line, 0-based column counted in UTF-8 bytes from the start of the line. */
    String location(int pos) {
        String before = text.substring(0, clamp(pos));
        int column = GoStrings.utf8Length(before.substring(before.lastIndexOf('\n') + 1));
        return name + ":" + line(pos) + ":" + column;
    }

    long line(int pos) {
        return 1 + text.substring(0, clamp(pos)).chars().filter(c -> c == '\n').count();
    }

    private int clamp(int pos) {
        return Math.min(Math.max(pos, 0), text.length());
    }

    TemplateException error(int pos, String message) {
        return new TemplateException("template: " + location(pos) + ": " + message);
    }

    TemplateException overLimit(int pos, String message) {
        return TemplateException.overLimit("template: " + location(pos) + ": " + message);
    }
}
